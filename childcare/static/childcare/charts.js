/* Childcare charts (Chart.js loaded before this file): figures come from
   json_script blocks, so no inline script is needed (CSP). */
(function () {
  "use strict";
  var COLOURS = ["#b4232a", "#1f6feb", "#2da44e", "#bf8700", "#8250df"];

  function figures(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function bars(canvasId, dataId, stacked) {
    var data = figures(dataId), canvas = document.getElementById(canvasId);
    if (!data || !canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels,
              datasets: data.datasets.map(function (d, i) {
                return { label: d.label, data: d.data.map(Number), backgroundColor: COLOURS[i % COLOURS.length] };
              }) },
      options: { scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } } }
    });
  }

  bars("childcare-risk-chart", "childcare-risk-data", false);
  bars("childpay-chart", "childpay-data", true);
})();
