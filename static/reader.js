// The reader: a mark opens the note of its fact (and moves the focus there); a link to a note opens it.
(function () {
  function openNote(id, focus) {
    var note = document.getElementById(id);
    if (!note || note.tagName !== "DETAILS") return;
    note.open = true;
    if (focus) { note.querySelector("summary").focus(); }
  }
  document.addEventListener("click", function (event) {
    var mark = event.target.closest("a.mark[data-note]");
    if (mark) { openNote(mark.dataset.note, true); }
  });
  if (location.hash.length > 1) { openNote(decodeURIComponent(location.hash.slice(1)), false); }
})();
