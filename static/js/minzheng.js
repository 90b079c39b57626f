/* Minzheng: the page behaviours that used to be inline handlers, driven by data
   attributes so that the Content-Security-Policy can forbid inline script.
   Loaded (deferred) by base.html on every page; listeners are delegated from the
   document, so content swapped in by htmx works too.
     <select data-autosubmit>       submits its form on change
     <form data-confirm="…">        asks before submitting
     <button data-print>            prints the page
     <div data-percent="42">        width 42% (progress bars; style= attributes are blocked)
     <select data-cascade-clear="#id_x">  on change, empties the later select(s) of a cascade
                                    (htmx then fills the next one from the server)
     <div data-reload-when-done>    reloads the page once a batch progress bar inside it,
                                    polled by htmx, reports the run finished */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
    if (field.dataset && field.dataset.cascadeClear) {
      document.querySelectorAll(field.dataset.cascadeClear).forEach(function (select) {
        select.options.length = 1;  // keep the empty "—" choice
        select.selectedIndex = 0;
      });
    }
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
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    sizeBars(elt.parentNode || document);
    // A progress bar swapped in by its polling, now finished: show the results it made.
    var status = elt.dataset ? elt.dataset.status : "";
    if ((status === "succeeded" || status === "failed") && elt.closest("[data-reload-when-done]")) {
      window.location.reload();
    }
  });
})();
