// Count down to the attempt's deadline (the server enforces it; this only shows it). Once it
// passes, wait out the server's grace period (quizapp.attempts.GRACE) and reload once, so the
// page shows the attempt as the server closed it.
(function () {
  "use strict";
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
