// Keyboard control of the review page: 1-4 pick a choice or a grade, space/Enter accept
// the suggested grade, u undoes, Alt+arrows reorder events. Everything also works by clicking.
(function () {
  "use strict";
  // A page sent in answer to a form (the next card after a grade) names its own address: put it in the
  // address bar, so that reloading the page fetches it again rather than sending the form twice.
  const address = document.body.dataset.address;
  if (address && address !== window.location.pathname) window.history.replaceState(null, "", address);
  const started = performance.now();
  const answerForm = document.getElementById("answer-form");
  const gradeForm = document.getElementById("grade-form");
  const undo = document.getElementById("undo");
  const orderList = document.getElementById("order-list");
  let sent = false;

  function submitOnce(form, button) {
    if (sent) return;
    sent = true;
    if (answerForm) document.getElementById("elapsed_ms").value = Math.round(performance.now() - started);
    form.requestSubmit(button);
  }

  if (answerForm) {
    answerForm.addEventListener("submit", function (event) {
      if (sent && !event.submitter) return;
      sent = true;
      document.getElementById("elapsed_ms").value = Math.round(performance.now() - started);
    });
  }
  if (gradeForm) {
    gradeForm.addEventListener("submit", function (event) {
      if (gradeForm.dataset.sent) { event.preventDefault(); return; }  // double click records once
      gradeForm.dataset.sent = "1";
    });
  }

  function renumber() {
    orderList.querySelectorAll("li").forEach(function (li, i) {
      li.querySelector("input").name = "response-" + i;
    });
  }
  function move(li, direction) {
    const other = direction < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!other) return;
    if (direction < 0) orderList.insertBefore(li, other); else orderList.insertBefore(other, li);
    renumber();
    li.focus();
  }
  if (orderList) {
    orderList.addEventListener("click", function (event) {
      const li = event.target.closest("li");
      if (event.target.classList.contains("move-up")) move(li, -1);
      if (event.target.classList.contains("move-down")) move(li, 1);
    });
    orderList.addEventListener("keydown", function (event) {
      const li = event.target.closest("li");
      if (!li || event.target.tagName === "BUTTON") return;
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        const dir = event.key === "ArrowUp" ? -1 : 1;
        if (event.altKey || event.shiftKey) { move(li, dir); return; }
        const next = dir < 0 ? li.previousElementSibling : li.nextElementSibling;
        if (next) next.focus();
      } else if (event.key === "Enter") {
        event.preventDefault();
        submitOnce(answerForm, document.getElementById("submit-order"));
      }
    });
    const first = orderList.querySelector("li");
    if (first) first.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.tagName === "INPUT" && event.target.type !== "hidden";
    if (typing) return;
    if (event.target.tagName === "A" && event.key === "Enter") return;  // a focused link (read in context) is followed
    if (event.key === "u" && undo) { event.preventDefault(); undo.click(); return; }
    if (gradeForm) {
      if (/^[1-4]$/.test(event.key)) {
        event.preventDefault();
        submitOnce(gradeForm, gradeForm.querySelector('button[data-key="' + event.key + '"]'));
      } else if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        submitOnce(gradeForm, gradeForm.querySelector("button[data-suggested]"));
      }
      return;
    }
    if (answerForm && /^[1-9]$/.test(event.key)) {
      const button = answerForm.querySelector('button.choice[data-key="' + event.key + '"]');
      if (button) { event.preventDefault(); submitOnce(answerForm, button); }
    }
  });
})();
