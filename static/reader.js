// The reader: a mark opens the note of its fact and moves the focus there; a link to a note opens it.
(function () {
  "use strict";
  function openNote(id, focus) {
    var note = document.getElementById(id);
    if (!note || note.tagName !== "DETAILS") return false;
    note.open = true;
    if (focus) {
      var summary = note.querySelector("summary");
      summary.focus();
      summary.scrollIntoView({block: "nearest"});
    }
    return true;
  }
  document.addEventListener("click", function (event) {
    var mark = event.target.closest("a.mark[data-note]");
    if (mark && openNote(mark.dataset.note, true)) {
      event.preventDefault();
      history.replaceState(null, "", "#" + mark.dataset.note);
    }
  });
  function openTarget() {
    if (location.hash.length > 1) { openNote(decodeURIComponent(location.hash.slice(1)), false); }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
