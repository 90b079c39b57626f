/* Residents' application start: the temporary-assistance type only matters
   (and is only shown) when the kind is temporary assistance. */
(function () {
  "use strict";
  var kind = document.getElementById("id_kind"), type = document.getElementById("id_temporary_type");
  if (!kind || !type) return;
  var row = type.closest(".mb-3");
  function sync() { row.hidden = kind.value !== "temporary"; }
  kind.addEventListener("change", sync);
  sync();
})();
