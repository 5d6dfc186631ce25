// The live class game: the presenter's screen (#live-host) and a learner's phone (#live-play).
// Both poll the game's state with If-None-Match and redraw only when it changed (200); a 304
// costs the server one small read. Times come from the server as "milliseconds left", counted
// down here on this device's monotonic clock: the server alone decides what is in time.
(function () {
  "use strict";
  const root = document.getElementById("live-host") || document.getElementById("live-play");
  if (!root) return;
  const isHost = root.id === "live-host";
  const pollMs = parseInt(root.dataset.poll, 10) || 1000;
  const $ = (id) => document.getElementById(id);
  let etag = null;
  let state = null;
  let opensAt = 0;   // performance.now() when answers open
  let closesAt = 0;  // performance.now() when they close
  let drawnItem = null;
  let timer = null;

  function setText(id, text) { const el = $(id); if (el) el.textContent = text; }
  function show(id, visible) { const el = $(id); if (el) el.hidden = !visible; }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function ordinal(n) {
    const s = ["th", "st", "nd", "rd"], v = n % 100;
    return n + (s[(v - 20) % 10] || s[v] || s[0]);
  }

  function poll() {
    const headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(root.dataset.stateUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 304) return null;
        if (r.redirected || r.status === 401 || r.status === 403 || r.status === 404) {
          window.location.reload();
          return null;
        }
        if (!r.ok) return null;
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (data) { if (data) apply(data); })
      .catch(function () { /* the network blinked: the next poll tries again */ })
      .finally(function () {
        if (!state || state.phase !== "ended") setTimeout(poll, pollMs);
      });
  }

  function apply(data) {
    const now = performance.now();
    opensAt = now + (data.opens_in_ms || 0);
    closesAt = now + (data.remaining_ms || 0);
    state = data;
    redraw();
  }

  function tick() {
    if (timer) clearTimeout(timer);
    if (!state) return;
    const now = performance.now();
    const phase = state.phase;
    let text = "";
    if (phase === "ready") text = "Get ready… " + Math.max(1, Math.ceil((opensAt - now) / 1000));
    else if (phase === "open") text = Math.max(0, Math.ceil((closesAt - now) / 1000)) + " s";
    else if (phase === "paused") text = "Paused · " + Math.ceil((state.remaining_ms || 0) / 1000) + " s left";
    else if (phase === "closed") text = "Time is up";
    setText("countdown", text);
    // Answers open and close with time alone: the screens follow their countdowns without waiting for a poll.
    if (phase === "ready" && now >= opensAt) { state.phase = "open"; redraw(); return; }
    if (phase === "open" && now >= closesAt) { state.phase = "closed"; redraw(); return; }
    if (phase === "ready" || phase === "open") timer = setTimeout(tick, 200);
  }

  function redraw() {
    if (isHost) drawHost(state); else drawPlayer(state);
    tick();
  }

  // The presenter

  const HOST_BUTTONS = {
    lobby: ["next", "end"], ready: ["pause", "close", "skip", "end"], open: ["pause", "close", "skip", "end"],
    paused: ["resume", "skip", "end"], closed: ["reveal", "next", "end"], reveal: ["leaderboard", "next", "end"],
    leaderboard: ["next", "end"], ended: []
  };
  const HOST_STATUS = {
    lobby: "Waiting for players…", ready: "Get ready!", open: "Answer now!", paused: "Paused",
    closed: "Time is up", reveal: "The answer", leaderboard: "Leaderboard", ended: "The game has ended."
  };

  function drawHost(s) {
    setText("status", HOST_STATUS[s.phase] || "");
    setText("player-count", s.player_count);
    const roster = $("roster");
    clear(roster);
    s.players.forEach(function (name) { roster.appendChild(el("li", name)); });
    show("join-panel", s.phase !== "ended");
    $("join-panel").classList.toggle("compact", s.phase !== "lobby");  // late joiners still see the code
    show("roster-panel", s.phase === "lobby");
    const q = s.question;
    show("question-panel", !!q && s.phase !== "ended");
    if (q) {
      setText("q-number", "Question " + q.number + " of " + q.total);
      setText("q-prompt", q.prompt);
      const list = $("q-choices");
      clear(list);
      q.choices.forEach(function (c) { list.appendChild(el("li", c)); });
      setText("answered", s.answered);
      setText("answer-total", s.player_count);
    }
    show("histogram-panel", !!s.histogram);
    if (s.histogram) {
      const hist = $("histogram");
      clear(hist);
      const most = Math.max(1, ...s.histogram.map(function (b) { return b.count; }));
      s.histogram.forEach(function (b) {
        const li = el("li", null, b.right && s.reveal ? "right" : "");
        li.dataset.count = b.count;
        li.appendChild(el("span", (b.right && s.reveal ? "✓ " : "") + b.label, "label"));
        const bar = el("div", null, "bar");
        const fill = el("span");
        fill.style.width = (100 * b.count / most) + "%";
        bar.appendChild(fill);
        li.appendChild(bar);
        li.appendChild(el("span", b.count, "n"));
        hist.appendChild(li);
      });
    }
    show("reveal-panel", !!s.reveal);
    if (s.reveal) {
      setText("reveal-answer", s.reveal.answers.join(" / "));
      setText("reveal-explanation", s.reveal.explanation);
      setText("reveal-quote", s.reveal.quote);
      show("reveal-quote", !!s.reveal.quote);
    }
    show("leaderboard-panel", !!s.leaderboard);
    if (s.leaderboard) {
      const board = $("leaderboard");
      clear(board);
      s.leaderboard.forEach(function (row) {
        const li = el("li");
        li.dataset.rank = row.rank;
        li.appendChild(el("span", row.nickname, "nickname"));
        li.appendChild(el("span", row.points, "points"));
        board.appendChild(li);
      });
    }
    const last = q && q.number === q.total;
    setText("btn-next", s.phase === "lobby" ? "Start the game" : last ? "Finish" : "Next question");
    const allowed = HOST_BUTTONS[s.phase] || [];
    document.querySelectorAll("#controls form").forEach(function (form) {
      form.hidden = allowed.indexOf(form.dataset.action) < 0;
      form.elements.version.value = s.version;  // an action applies only to the game this screen shows
    });
  }

  if (isHost) {
    document.querySelectorAll("#controls form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (form.dataset.action === "end" && !window.confirm("End the game for everyone?")) return;
        const button = form.querySelector("button");
        button.disabled = true;
        fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                             headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json().then(function (data) { return [r.ok, data]; }); })
          .then(function (pair) {
            if (pair[0]) { etag = null; apply(pair[1]); } else setText("status", pair[1].error);
          })
          .catch(function () { setText("status", "The server did not answer; try again."); })
          .finally(function () { button.disabled = false; });
      });
    });
  }

  // A learner's phone

  function drawPlayer(s) {
    const me = s.me;
    setText("me-score", me.score);
    const q = s.question;
    const inQuestion = ["ready", "open", "paused", "closed"].indexOf(s.phase) >= 0;
    show("question-panel", !!q && inQuestion);
    if (q) {
      setText("q-number", "Question " + q.number + " of " + q.total);
      setText("q-prompt", q.prompt);
    }
    let status = "";
    if (s.phase === "lobby") status = "You are in! Watch the screen: the game starts soon.";
    else if (s.phase === "ready") status = "Get ready!";
    else if (s.phase === "open") status = me.answered ? "Answer received. Wait for the others…" : "Answer now!";
    else if (s.phase === "paused") status = "Paused";
    else if (s.phase === "closed") status = me.answered ? "Answer received. Time is up." : "Time is up.";
    else if (s.phase === "reveal" || s.phase === "leaderboard") status = "";
    else if (s.phase === "ended") status = "The game has ended. Thank you for playing!";
    setText("status", status);
    if (q && inQuestion) drawAnswerForm(s);
    const revealed = s.phase === "reveal" || s.phase === "leaderboard";
    show("feedback-panel", revealed && !!s.reveal);
    if (revealed && s.reveal) {
      const fb = $("feedback");
      const right = (me.points || 0) > 0;
      fb.className = "live-big " + (right ? "good" : "bad");
      fb.textContent = !me.answered ? "No answer this time. The answer was: " + s.reveal.answers.join(" / ")
        : right ? "Right! +" + me.points + " points"
        : "Not this time. The answer was: " + s.reveal.answers.join(" / ");
      setText("reveal-explanation", s.reveal.explanation);
      setText("reveal-quote", s.reveal.quote);
      show("reveal-quote", !!s.reveal.quote);
    }
    const ranked = me.rank !== undefined && (s.phase === "leaderboard" || s.phase === "ended" || s.phase === "reveal");
    show("rank", ranked);
    if (ranked) setText("rank", "You are " + ordinal(me.rank) + " of " + me.players + " with " + me.score + " points");
    show("result-link", !!s.result_url);
    if (s.result_url) $("result-link").querySelector("a").href = s.result_url;
  }

  function drawAnswerForm(s) {
    const form = $("answer-form");
    const q = s.question;
    const me = s.me;
    const canAnswer = s.phase === "open" && !me.answered;
    const drawn = q.item_id + "|" + canAnswer + "|" + me.answered;
    if (drawn === drawnItem) return;  // as it is: keep what the learner is typing or ticking
    drawnItem = drawn;
    const typed = $("typed-answer");
    const typing = typed && !me.answered ? typed.value : "";
    clear(form);
    const given = me.answer === null || me.answer === undefined ? (typing ? [typing] : []) : [].concat(me.answer);
    if (q.format === "choice" || q.format === "truefalse") {
      q.choices.forEach(function (c, i) {
        const b = el("button", c, "choice" + (given.indexOf(c) >= 0 ? " chosen" : ""));
        b.type = "button";
        b.id = "choice-" + i;
        b.disabled = !canAnswer;
        b.addEventListener("click", function () { send([c]); });
        form.appendChild(b);
      });
    } else if (q.format === "multi") {
      q.choices.forEach(function (c, i) {
        const label = el("label");
        const box = el("input");
        box.type = "checkbox";
        box.value = c;
        box.id = "choice-" + i;
        box.checked = given.indexOf(c) >= 0;
        box.disabled = !canAnswer;
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + c));
        form.appendChild(label);
      });
      addSubmit(form, canAnswer, function () {
        return Array.from(form.querySelectorAll("input:checked")).map(function (b) { return b.value; });
      });
    } else {
      const input = el("input");
      input.type = "text";
      input.id = "typed-answer";
      input.autocomplete = "off";
      input.setAttribute("aria-label", "Your answer");
      input.value = given.length ? given[0] : "";
      input.disabled = !canAnswer;
      if (q.format === "year") input.inputMode = "numeric";
      form.appendChild(input);
      addSubmit(form, canAnswer, function () { return [input.value]; });
    }
  }

  function addSubmit(form, enabled, values) {
    const b = el("button", "Send", "primary");
    b.type = "submit";
    b.id = "send-answer";
    b.disabled = !enabled;
    form.onsubmit = function (event) { event.preventDefault(); send(values()); };
    form.appendChild(b);
  }

  function send(values) {
    if (!state || !state.question) return;
    const body = new URLSearchParams();
    body.append("csrf_token", root.dataset.csrf);
    body.append("item", state.question.item_id);
    values.forEach(function (v) { body.append("response", v); });
    const form = $("answer-form");
    form.querySelectorAll("button, input").forEach(function (b) { b.disabled = true; });
    fetch(root.dataset.answerUrl, { method: "POST", body: body, credentials: "same-origin",
                                    headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (data) { return [r.status, data]; }); })
      .then(function (pair) {
        if (pair[0] === 200) {
          state.me.answered = true;
          state.me.answer = pair[1].answer;
          drawAnswerForm(state);
          setText("status", "Answer received. Wait for the others…");
        } else {
          setText("status", pair[1].error || "That answer was not counted.");
          if (pair[0] === 400) form.querySelectorAll("button, input").forEach(function (b) { b.disabled = false; });
          else { etag = null; }  // the game moved on: the next poll redraws
        }
      })
      .catch(function () {
        setText("status", "The answer may not have arrived; try again.");
        form.querySelectorAll("button, input").forEach(function (b) { b.disabled = false; });
      });
  }

  poll();
})();
