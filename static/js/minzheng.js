/* Minzheng: the page behaviours that used to be inline handlers, driven by data
   attributes so that the Content-Security-Policy can forbid inline script.
   Loaded (deferred) by base.html on every page; listeners are delegated from the
   document, so content swapped in by htmx works too.
     <select data-autosubmit>       submits its form on change
     <form data-confirm="…">        asks before submitting
     <button data-print>            prints the page
     <div data-percent="42">        width 42% (progress bars; style= attributes are blocked) */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  function sizeBars(root) {
    root.querySelectorAll("[data-percent]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.percent) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.addEventListener("htmx:load", function (event) { sizeBars(event.detail.elt.parentNode || document); });
})();
