// Draws every forecast chart on the page (templates/_chart.html) with vega-embed: on load,
// and after htmx swaps new content in. Load it after the vendored vega, vega-lite and
// vega-embed scripts. Quiet on success; a chart that cannot be drawn is logged once and
// keeps its caption, which states the same figures in words.
(function () {
  "use strict";

  function render(figure) {
    var view = figure.querySelector(".chart-view");
    var source = figure.querySelector("script.chart-spec");
    if (!view || !source) {
      return;
    }
    figure.dataset.rendered = "pending";
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      figure.dataset.rendered = "failed";
      console.error("Keepword: the spec of chart " + figure.id + " is not JSON", error);
      return;
    }
    window.vegaEmbed(view, spec, { actions: false, renderer: "svg" }).then(
      function () {
        figure.dataset.rendered = "true";
      },
      function (error) {
        figure.dataset.rendered = "failed";
        console.error("Keepword: chart " + figure.id + " could not be drawn", error);
      }
    );
  }

  function renderAll() {
    if (typeof window.vegaEmbed !== "function") {
      console.error("Keepword: vega-embed is not loaded; charts are shown as text only");
      return;
    }
    document.querySelectorAll("figure.chart:not([data-rendered])").forEach(render);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
  document.addEventListener("htmx:afterSwap", renderAll);
})();
