// The browser's time zone: offered on the account page, and reported once for an account without one.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  var button = document.getElementById("use-browser-zone");
  var input = document.getElementById("clk-time_zone");
  if (button && input && input.value !== zone) {
    button.querySelector("span").textContent = zone;
    button.classList.remove("hidden");
    button.addEventListener("click", function () { input.value = zone; input.focus(); });
  }
  var script = document.currentScript;
  if (script && script.dataset.report) {
    var body = new URLSearchParams({ time_zone: zone, csrf_token: script.dataset.csrf });
    fetch(script.dataset.report, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // the page was drawn in UTC: draw it again in the learner's zone, once
        if (data.saved && data.time_zone !== script.dataset.shown) window.location.reload();
      })
      .catch(function () {});
  }
})();
