/* Eldercare charts (Chart.js, loaded before this file).  Each chart reads its
   figures from a <script type="application/json"> block made by json_script,
   so no inline script is needed (CSP). */
(function () {
  "use strict";
  var COLOURS = ["#b4232a", "#1f6feb", "#2da44e", "#bf8700", "#8250df"];

  function figures(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  // Stacked bars of money per district and band (the senior-allowance month page).
  function stacked(canvasId, dataId) {
    var data = figures(dataId), canvas = document.getElementById(canvasId);
    if (!data || !canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels,
              datasets: data.datasets.map(function (d, i) {
                return { label: d.label, data: d.data.map(Number), backgroundColor: COLOURS[i % COLOURS.length] };
              }) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
    });
  }

  // The dashboard: one bar chart per indicator, regions along the axis.
  function dashboard() {
    (figures("eldercare-dashboard-data") || []).forEach(function (chart, i) {
      var canvas = document.getElementById(chart.id);
      if (!canvas) return;
      new Chart(canvas, {
        type: "bar",
        data: { labels: chart.labels,
                datasets: [{ label: chart.label, data: chart.data.map(Number), backgroundColor: COLOURS[i % COLOURS.length] }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    stacked("allowance-chart", "allowance-data");
    stacked("settlement-chart", "settlement-data");
    dashboard();
  });
})();
