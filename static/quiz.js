// Count down to the attempt's deadline (the server enforces it; this only shows it). Once it
// passes, wait out the server's grace period (quizapp.attempts.GRACE) and reload once, so the
// page shows the attempt as the server closed it.
(function () {
  "use strict";
  // A page sent in answer to a form (the next card after a grade) names its own address: put it in the
  // address bar, so that reloading the page fetches it again rather than sending the form twice.
  const address = document.body.dataset.address;
  if (address && address !== window.location.pathname) window.history.replaceState(null, "", address);
  const timer = document.getElementById("timer");
  if (!timer) return;
  const deadline = new Date(timer.dataset.deadline).getTime();
  const left = document.getElementById("time-left");
  function tick() {
    const ms = deadline - Date.now();
    if (ms <= 0) {
      left.textContent = "0:00 (time is up)";
      setTimeout(function () { window.location.reload(); }, 4000);
      return;
    }
    const s = Math.ceil(ms / 1000);
    left.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    setTimeout(tick, 500);
  }
  tick();
})();
