/* Charity dashboard: raised this year per district (Chart.js, figures from json_script). */
(function () {
  "use strict";
  var block = document.getElementById("charity-data"), canvas = document.getElementById("charity-chart");
  if (!block || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(block.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: canvas.dataset.label, data: data.data.map(Number), backgroundColor: "#b4232a" }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
  });
})();
