/* Minzheng charts (Chart.js, loaded before this file).  Each chart reads its
   figures from a <script type="application/json"> block made by Django's
   json_script, so no inline script is needed. */
(function () {
  "use strict";
  var COLOURS = ["#b4232a", "#1f6feb", "#2da44e", "#bf8700", "#8250df"];

  function figures(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function yuan(context) {
    return context.dataset.label + "：¥" + Number(context.raw).toLocaleString("zh-CN", { minimumFractionDigits: 2 });
  }

  // Stacked bars of money per district and group: the payroll and the price-subsidy rolls.
  function moneyBars(canvasId, dataId) {
    var data = figures(dataId), canvas = document.getElementById(canvasId);
    if (!data || !canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels,
              datasets: data.datasets.map(function (d, i) {
                return { label: d.label, data: d.data.map(Number), backgroundColor: COLOURS[i % COLOURS.length] };
              }) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
                 plugins: { tooltip: { callbacks: { label: yuan } } } }
    });
  }

  function areaBars() {
    var areas = figures("area-data"), canvas = document.getElementById("area-chart");
    if (!areas || !canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: areas.map(function (a) { return a.name; }),
              datasets: [{ label: canvas.dataset.label, data: areas.map(function (a) { return a.households; }),
                           backgroundColor: "#1f2d3d" }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  }

  // CPI and food price rises against the thresholds that start the linkage.
  function indexLines() {
    var data = figures("index-data"), canvas = document.getElementById("index-chart");
    if (!data || !canvas) return;
    var style = { cpi: ["#b4232a", []], food: ["#1f6feb", []], cpi_threshold: ["#b4232a", [6, 4]],
                  food_threshold: ["#1f6feb", [6, 4]] };
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels,
              datasets: data.datasets.map(function (d) {
                var threshold = d.key.endsWith("threshold");
                return { label: d.label, data: d.data.map(function (v) { return v === null ? null : Number(v); }),
                         borderColor: style[d.key][0], backgroundColor: style[d.key][0], borderDash: style[d.key][1],
                         stepped: threshold, pointRadius: threshold ? 0 : 3, spanGaps: true };
              }) },
      options: { interaction: { mode: "index", intersect: false },
                 scales: { y: { title: { display: true, text: "%" } } },
                 plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + "：" + c.raw + "%"; } } } } }
    });
  }

  // The bureau overview: one bar chart per indicator, districts along the axis.
  function overviewBars() {
    (figures("overview-data") || []).forEach(function (chart, i) {
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

  areaBars();
  overviewBars();
  moneyBars("payroll-chart", "payroll-data");
  moneyBars("subsidy-chart", "subsidy-data");
  indexLines();
})();
