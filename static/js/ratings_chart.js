/* 好差评 by street: one bar per street (figures from json_script "ratings-data"). */
(function () {
  "use strict";
  var block = document.getElementById("ratings-data"), canvas = document.getElementById("ratings-chart");
  if (!block || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(block.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: data.datasets.map(function (d) {
      return { label: d.label, data: d.data, backgroundColor: "#b4232a" };
    }) },
    options: { scales: { y: { beginAtZero: true, max: 5 } } }
  });
})();
