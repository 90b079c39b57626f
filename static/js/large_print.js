/* 适老化 large-print mode of the residents' portal: a toggle that puts the
   class "large-print" on <body>, remembered per browser in localStorage
   (read here, not by an inline script: CSP). */
(function () {
  "use strict";
  var KEY = "mz-large-print";

  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function apply(on) {
    document.body.classList.toggle("large-print", on);
    document.querySelectorAll("[data-large-print-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    apply(stored());
    document.querySelectorAll("[data-large-print-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        var on = !document.body.classList.contains("large-print");
        try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
        apply(on);
      });
    });
  });
})();
