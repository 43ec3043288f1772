// lagwatch presence check. Measures the time from a prompt being painted
// (requestAnimationFrame timestamp) to the next keydown (event.timeStamp),
// both on the page's performance.now() timeline. It never reads which key
// was pressed: none of the event's key identity properties is touched.
"use strict";
(() => {
  const stage = document.getElementById("stage");
  const shape = document.getElementById("shape");
  const status = document.getElementById("status");
  const start = document.getElementById("start");
  const q = new URLSearchParams(location.search);
  let sess = null, seq = 0, shownAt = 0, timer = 0, busy = false;

  const setState = (s) => { stage.dataset.state = s; };

  // A signed link (?t=TOKEN) names the worker; the start call carries it.
  const token = q.get("t");

  async function post(path, body) {
    const headers = {"Content-Type": "application/json"};
    if (token && path === "api/start") headers["Authorization"] = "Bearer " + token;
    const r = await fetch(path, {
      method: "POST", cache: "no-store", headers,
      body: JSON.stringify(body),
    });
    const j = await r.json();
    if (!r.ok) throw new Error(j.error ? j.error.message : "HTTP " + r.status);
    return j;
  }

  async function pings() {
    let last = null;
    for (let i = 0; i < sess.pings; i++) {
      const t0 = performance.now();
      await post("api/ping", {session: sess.session, seq: i, client_rtt_ms: last});
      last = performance.now() - t0;
    }
  }

  function arm() {
    setState("wait");
    status.textContent = "Wait for the shape…";
    timer = setTimeout(show, sess.foreperiods_ms[seq]);
  }

  function show() {
    requestAnimationFrame((t1) => {
      shape.className = "c" + (seq % 4);
      shownAt = t1;
      stage.dataset.prompt = String(seq);
      setState("prompt");
      // The change is painted with this frame; the next frame's timestamp
      // is when it is on screen at the latest.
      requestAnimationFrame((t2) => { if (stage.dataset.state === "prompt") shownAt = t2; });
    });
  }

  async function send(body) {
    busy = true;
    try {
      const r = await post("api/reaction", Object.assign({session: sess.session, seq: seq}, body));
      seq++;
      if (r.done) { finish(r.result); return; }
      arm();
    } catch (e) {
      fail(e);
    } finally {
      busy = false;
    }
  }

  document.addEventListener("keydown", (e) => {
    if (e.repeat || !sess || busy) return;
    const state = stage.dataset.state;
    if (state === "wait") {
      e.preventDefault();
      clearTimeout(timer);
      status.textContent = "Too early: wait for the shape.";
      send({false_start: true});
    } else if (state === "prompt") {
      e.preventDefault();
      const key = e.timeStamp;
      setState("sent");
      send({shown_ms: shownAt, key_ms: key, trusted: e.isTrusted});
    }
  });

  function finish(res) {
    sess = null;
    document.body.dataset.result = JSON.stringify(res);
    setState("done");
    status.textContent = res.enrol ? "Thank you: enrolment recorded." : "Done. " + res.explanation;
  }

  function fail(e) {
    sess = null;
    setState("error");
    status.textContent = "Could not complete the check: " + e.message;
  }

  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      sess = await post("api/start", {worker_id: q.get("worker") || "", enrol: q.get("enrol") === "1"});
      seq = 0;
      status.textContent = "Measuring the connection…";
      await pings();
      arm();
    } catch (e) {
      fail(e);
    }
  });
})();
