/**
 * The report's in-page JavaScript, as text to inline. Plain ES2017 for any
 * browser that opens the file; no imports, no network.
 */

/**
 * One colour per platform, far apart: the closest two (linkedin, bluesky) are
 * ΔE 34 apart in CIELAB, instagram and youtube 43 (the old palette had
 * linkedin and bluesky at 19, and instagram and youtube read as one red).
 * Each is saturated, so the page's own check counts its pixels as data.
 * Brand hues where they do not collide.
 */
export const PLATFORM_COLORS: Readonly<Record<string, string>> = {
  instagram: '#f06292', facebook: '#1f5fbf', linkedin: '#00a3a3', youtube: '#e53935', tiktok: '#6a1b9a',
  x: '#795548', threads: '#f57c00', pinterest: '#7cb342', reddit: '#fdd835', bluesky: '#4fc3f7',
  // A dark green far from every other (ΔE 39 to the nearest): Google Business Profile.
  google_business: '#1b5e20',
};

/**
 * First in <head>: collect page errors before anything else runs, so the
 * report itself can say whether it drew cleanly (headless checks read it).
 */
export const ERROR_TRAP = `
window.__reportErrors = [];
window.addEventListener('error', function (e) { window.__reportErrors.push(String(e.message || e)); });
window.addEventListener('unhandledrejection', function (e) { window.__reportErrors.push(String(e.reason)); });
(function (original) {
  console.error = function () {
    window.__reportErrors.push(Array.prototype.map.call(arguments, String).join(' '));
    return original.apply(console, arguments);
  };
})(console.error);
`;

/**
 * Draws every chart from the #report-data JSON, then writes into the DOM how
 * many pixels each canvas painted (and how many of them are data colours
 * inside the plot area), plus the error count and a ready flag.
 */
export const BOOT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = ${JSON.stringify(PLATFORM_COLORS)};
  var SPARE = ['#8c564b', '#2ca02c', '#9467bd', '#ff7f0e', '#1f77b4'];
  function color(platform) {
    if (COLORS[platform]) return COLORS[platform];
    var h = 0;
    for (var i = 0; i < platform.length; i++) h = (h * 31 + platform.charCodeAt(i)) >>> 0;
    return SPARE[h % SPARE.length];
  }
  var number = new Intl.NumberFormat('en-US');
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#475569';
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 12 } },
      tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + (c.parsed.y === null ? '-' : number.format(c.parsed.y)); } } }
    }
  };
  function options(stacked) {
    return Object.assign({}, common, {
      scales: {
        x: { stacked: stacked, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 10 }, grid: { display: false } },
        y: { stacked: stacked, beginAtZero: stacked, ticks: { callback: function (v) { return number.format(v); } } }
      }
    });
  }
  var charts = [];
  data.profiles.forEach(function (p, i) {
    var impressions = document.getElementById('chart-' + i + '-impressions');
    if (impressions) {
      charts.push(new Chart(impressions, {
        type: 'bar',
        data: { labels: data.days, datasets: p.impressions.map(function (d) {
          return { label: d.source === 'timeseries' ? d.platform + ' (daily series)' : d.platform, data: d.values, backgroundColor: color(d.platform), stack: 'impressions' };
        }) },
        options: options(true)
      }));
    }
    var followers = document.getElementById('chart-' + i + '-followers');
    if (followers) {
      charts.push(new Chart(followers, {
        type: 'line',
        data: { labels: data.days, datasets: p.followers.map(function (d) {
          // A day without a count is a gap in the line, never a line drawn across it as if known.
          return { label: d.platform, data: d.values, borderColor: color(d.platform), backgroundColor: color(d.platform),
            borderWidth: 2, pointRadius: 2, spanGaps: false, tension: 0.2 };
        }) },
        options: options(false)
      }));
    }
  });
  // Saturated pixels inside the plot area are data: axes, grid and labels are grey.
  function measure(chart) {
    var canvas = chart.canvas;
    // One readback into a copy made for reading, rather than several from the chart's own canvas.
    var copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    var ctx = copy.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(canvas, 0, 0);
    var all = ctx.getImageData(0, 0, copy.width, copy.height).data;
    var painted = 0;
    for (var i = 3; i < all.length; i += 4) if (all[i] > 0) painted++;
    var a = chart.chartArea, r = chart.currentDevicePixelRatio || 1;
    var x = Math.max(0, Math.floor(a.left * r)), y = Math.max(0, Math.floor(a.top * r));
    var w = Math.max(1, Math.floor((a.right - a.left) * r)), h = Math.max(1, Math.floor((a.bottom - a.top) * r));
    var area = ctx.getImageData(x, y, w, h).data;
    var colored = 0;
    for (var j = 0; j < area.length; j += 4) {
      var max = Math.max(area[j], area[j + 1], area[j + 2]), min = Math.min(area[j], area[j + 1], area[j + 2]);
      if (area[j + 3] > 0 && max - min > 40) colored++;
    }
    canvas.setAttribute('data-painted-pixels', String(painted));
    canvas.setAttribute('data-data-pixels', String(colored));
  }
  requestAnimationFrame(function () {
    charts.forEach(function (c) {
      try { measure(c); } catch (e) { window.__reportErrors.push('measure: ' + e); }
    });
    var root = document.documentElement;
    root.setAttribute('data-charts', String(charts.length));
    root.setAttribute('data-report-errors', String(window.__reportErrors.length));
    if (window.__reportErrors.length) {
      var shown = document.getElementById('report-errors');
      shown.textContent = window.__reportErrors.join('\\n');
      shown.hidden = false;
    }
    root.setAttribute('data-report-ready', 'true');
  });
})();
`;
