// PoseFill's skeleton editor: draws the completed pose on a <canvas> inside #posefill-editor and turns
// pointer and key gestures into actions for the python side (see protocol.py).
//
// It depends on no gradio internals: python runs this file once (the tab's load event), hands payloads
// over through the hidden textbox #posefill-editor-data (its change event calls receive), and this code
// sends actions by clicking the hidden button #posefill-editor-send, whose js hook (take) puts the action
// into the hidden textbox #posefill-editor-action. The status line (#posefill-status) and the joint table
// (#posefill-table) are plain HTML this code fills from each payload. The editor's data lives in window.PoseFillEditor and on
// the element's data-* attributes, so an element gradio re-renders is picked up again (mount).
//
// After every change #posefill-editor carries data-state (the completed document, as exported with
// framing keep) and data-view ({"x", "y", "scale"}: pose pixel (px, py) is drawn at CSS offset
// (x + px * scale, y + py * scale) from the top-left corner of the <canvas>).
(function () {
  "use strict";
  if (window.PoseFillEditor) return;

  const HIT_CSS = 14; // how close (CSS px) a pointer must be to a joint to grab it
  const DRAG_CSS = 3; // movement (CSS px) that turns a press into a drag
  const FLIGHT_TIMEOUT_MS = 20000; // an action unanswered this long is dropped
  const MAX_TIMINGS = 200;

  function appRoot() {
    const app = document.querySelector("gradio-app");
    return (app && app.shadowRoot) || document;
  }

  function rgb(c, k) {
    const f = k === undefined ? 1 : k;
    return "rgb(" + Math.floor(c[0] * f) + "," + Math.floor(c[1] * f) + "," + Math.floor(c[2] * f) + ")";
  }

  function triples(list) {
    const out = [];
    if (!Array.isArray(list)) return out;
    for (let i = 0; i + 2 < list.length; i += 3) out.push([list[i], list[i + 1], list[i + 2] > 0]);
    return out;
  }

  const E = {
    el: null,
    canvas: null,
    config: null,
    doc: null, // the completed document (data-state)
    people: [], // per editable person: {index, states}
    person: 0, // selected person (index into people)
    joint: null, // selected joint, or null
    extend: true,
    background: null, // an Image, or null
    view: { x: 0, y: 0, scale: 1 },
    seq: null,
    counter: 0,
    queue: [],
    flight: null, // the action sent and not answered yet: {action, t0 (when the gesture happened), timer}
    press: null, // pointer pressed on a joint: {person, joint, x0, y0, moved}
    moved: null, // a joint shown where the user put it, until the answer: {index, joint, x, y, dx, dy, id}
    timings: [], // ms from each gesture (a drop, a key) to its answer drawn
  };

  E.mount = function () {
    const el = appRoot().querySelector("#posefill-editor");
    if (!el || el === E.el) return !!el;
    E.el = el;
    E.canvas = el.querySelector("canvas");
    E.config = JSON.parse(el.dataset.config || "{}");
    const c = E.canvas;
    c.addEventListener("pointerdown", onDown);
    c.addEventListener("pointermove", onMove);
    c.addEventListener("pointerup", onUp);
    c.addEventListener("pointercancel", onCancel);
    c.addEventListener("dblclick", onDoubleClick);
    c.addEventListener("keydown", onKey);
    if (window.ResizeObserver) new ResizeObserver(() => E.draw()).observe(el);
    E.draw();
    return true;
  };

  // -- python -> editor ----------------------------------------------------------------------------
  E.receive = function (text) {
    if (!text) return;
    let p;
    try {
      p = JSON.parse(text);
    } catch (err) {
      return;
    }
    if (p.seq === E.seq) return; // the same payload again (a re-render)
    E.seq = p.seq;
    E.mount();
    if (p.background !== undefined) setBackground(p.background);
    E.doc = p.doc;
    E.people = p.people || [];
    E.person = p.person || 0;
    if (p.loaded) E.joint = null;
    const answered = E.flight && p.ack === E.flight.action.id;
    if (p.loaded || (answered && E.moved && E.moved.id === p.ack)) E.moved = null; // keep a later drag's
    if (p.download) download(p.download);
    showStatus(p.status, p.error);
    showTable(p.rows);
    E.draw();
    if (answered) {
      E.timings.push(performance.now() - E.flight.t0);
      if (E.timings.length > MAX_TIMINGS) E.timings.shift();
      clearTimeout(E.flight.timer);
      E.flight = null;
      pump();
    }
    mark();
  };

  function setBackground(src) {
    if (!src) {
      E.background = null;
      return;
    }
    const img = new Image();
    img.onload = () => {
      E.draw();
      mark();
    };
    img.src = src;
    E.background = img;
  }

  function showStatus(text, error) {
    const el = appRoot().querySelector("#posefill-status");
    if (!el) return;
    el.textContent = text || "";
    el.classList.toggle("posefill-error", !!error);
  }

  // The selected person's rows: joint name, x and y to edit, the state to choose.
  function showTable(rows) {
    const table = appRoot().querySelector("#posefill-table");
    if (!table) return;
    const states = JSON.parse(table.dataset.states || "[]");
    const body = table.tBodies[0];
    body.textContent = "";
    (rows || []).forEach((row) => {
      const tr = body.insertRow();
      tr.insertCell().textContent = row[0];
      [row[1], row[2]].forEach((v) => {
        const input = document.createElement("input");
        input.type = "number";
        input.step = "0.1";
        input.value = v === "" || v === null ? "" : String(v);
        tr.insertCell().appendChild(input);
      });
      const select = document.createElement("select");
      states.forEach((name) => select.add(new Option(name, name)));
      select.value = row[3];
      tr.insertCell().appendChild(select);
    });
  }

  function tableRows() {
    const table = appRoot().querySelector("#posefill-table");
    if (!table) return [];
    return Array.from(table.tBodies[0].rows).map((tr) => {
      const [x, y] = Array.from(tr.querySelectorAll("input")).map((i) => (i.value === "" ? "" : Number(i.value)));
      return [tr.cells[0].textContent, x, y, tr.querySelector("select").value];
    });
  }

  function download(file) {
    const bytes = Uint8Array.from(atob(file.base64), (ch) => ch.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: file.mime }));
    const a = document.createElement("a");
    a.href = url;
    a.download = file.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // -- editor -> python ----------------------------------------------------------------------------
  E.send = function (action) {
    E.mount();
    action.id = ++E.counter;
    if (action.person === undefined) action.person = E.person;
    if (action.joint === null) action.joint = E.joint; // null: the selected joint, if any
    if (action.op === "table") action.rows = tableRows();
    E.queue.push({ action: action, t0: performance.now() });
    pump();
    mark();
  };

  function pump() {
    if (E.flight || !E.queue.length) return;
    const button = appRoot().querySelector("#posefill-editor-send");
    if (!button) {
      E.queue = [];
      return;
    }
    const next = E.queue.shift();
    const timer = setTimeout(() => {
      E.flight = null;
      E.moved = null;
      E.draw();
      pump();
      mark();
    }, FLIGHT_TIMEOUT_MS);
    E.flight = { action: next.action, t0: next.t0, timer: timer };
    button.click();
  }

  // The send button's js hook: its inputs with the action in front (the first input is the action box).
  E.take = function (args, count) {
    const out = Array.prototype.slice.call(args, 0, count);
    out[0] = JSON.stringify(E.flight ? E.flight.action : { op: "refresh", person: E.person });
    return out;
  };

  E.setExtend = function (on) {
    E.extend = !!on;
    E.draw();
    mark();
  };

  // The element's data-* attributes: what outside checks read.
  function mark() {
    const el = E.el;
    if (!el) return;
    if (E.doc) el.dataset.state = JSON.stringify(E.doc);
    else delete el.dataset.state;
    el.dataset.view = JSON.stringify(E.view);
    el.dataset.seq = String(E.seq);
    el.dataset.person = String(E.person);
    el.dataset.joint = E.joint === null ? "" : String(E.joint);
    el.dataset.busy = E.flight || E.queue.length || E.press ? "1" : "0";
    el.dataset.background = !E.background ? "none" : E.background.complete ? "loaded" : "loading";
  }

  // -- geometry ------------------------------------------------------------------------------------
  function bodyOf(docIndex) {
    const raw = E.doc && E.doc.people[docIndex];
    return raw ? triples(raw.pose_keypoints_2d) : [];
  }

  // The joints to draw for a document person, with the joint being moved where the user put it.
  function shownBody(docIndex) {
    const body = bodyOf(docIndex);
    const m = E.moved;
    if (m && m.index === docIndex && body[m.joint]) body[m.joint] = [m.x, m.y, true];
    return body;
  }

  function shownPart(docIndex, key) {
    const raw = E.doc.people[docIndex];
    const pts = triples(raw[key]);
    const m = E.moved;
    if (m && m.index === docIndex && E.config.attached[m.joint] === key)
      return pts.map((p) => (p[2] ? [p[0] + m.dx, p[1] + m.dy, true] : p));
    return pts;
  }

  function canvasSize() {
    return [E.doc ? E.doc.canvas_width || 512 : 512, E.doc ? E.doc.canvas_height || 512 : 512];
  }

  function viewBox() {
    const [w, h] = canvasSize();
    let x0 = 0;
    let y0 = 0;
    let x1 = w;
    let y1 = h;
    if (E.extend && E.doc) {
      E.doc.people.forEach((raw, k) => {
        const parts = [shownBody(k)].concat(E.config.parts.map((key) => shownPart(k, key)));
        parts.forEach((pts) =>
          pts.forEach((p) => {
            if (!p[2]) return;
            x0 = Math.min(x0, p[0]);
            y0 = Math.min(y0, p[1]);
            x1 = Math.max(x1, p[0]);
            y1 = Math.max(y1, p[1]);
          })
        );
      });
    }
    const pad = E.extend && (x0 < 0 || y0 < 0 || x1 > w || y1 > h) ? 0.03 * Math.max(w, h) : 0;
    return [x0 - (x0 < 0 ? pad : 0), y0 - (y0 < 0 ? pad : 0), x1 + (x1 > w ? pad : 0), y1 + (y1 > h ? pad : 0)];
  }

  function toPose(event) {
    const r = E.canvas.getBoundingClientRect();
    const v = E.view;
    return [(event.clientX - r.left - v.x) / v.scale, (event.clientY - r.top - v.y) / v.scale];
  }

  function hitJoint(pt) {
    let best = null;
    let bestD = HIT_CSS;
    E.people.forEach((person, i) => {
      shownBody(person.index).forEach((p, j) => {
        if (!p[2]) return;
        const d = Math.hypot(p[0] - pt[0], p[1] - pt[1]) * E.view.scale - (i === E.person ? 2 : 0);
        if (d < bestD) {
          bestD = d;
          best = { person: i, joint: j };
        }
      });
    });
    return best;
  }

  function personBox(person) {
    const pts = shownBody(person.index).filter((p) => p[2]);
    if (!pts.length) return null;
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  }

  function hitPerson(pt) {
    let best = null;
    let bestArea = Infinity;
    const pad = HIT_CSS / E.view.scale;
    E.people.forEach((person, i) => {
      const b = personBox(person);
      if (!b || pt[0] < b[0] - pad || pt[0] > b[2] + pad || pt[1] < b[1] - pad || pt[1] > b[3] + pad) return;
      const area = (b[2] - b[0] + 1) * (b[3] - b[1] + 1);
      if (area < bestArea) {
        bestArea = area;
        best = i;
      }
    });
    return best;
  }

  // -- gestures ------------------------------------------------------------------------------------
  // A new person is told to python (for the joint table) on release: a drag's move tells it anyway.
  function select(person, joint, tell) {
    const changed = person !== E.person;
    E.person = person;
    E.joint = joint;
    E.draw();
    if (changed && tell) E.send({ op: "select", person: person });
    mark();
  }

  function onDown(event) {
    if (event.button !== 0 || !E.doc) return;
    E.canvas.focus({ preventScroll: true }); // a tall canvas half out of sight must not jump under the pointer
    const pt = toPose(event);
    const hit = hitJoint(pt);
    if (!hit) {
      const person = hitPerson(pt);
      select(person === null ? E.person : person, null, true);
      return;
    }
    E.press = {
      person: hit.person,
      joint: hit.joint,
      x0: event.clientX,
      y0: event.clientY,
      moved: false,
      was: E.person,
    };
    E.canvas.setPointerCapture(event.pointerId);
    select(hit.person, hit.joint, false);
    event.preventDefault();
  }

  function onMove(event) {
    const press = E.press;
    if (!press) return;
    if (!press.moved && Math.hypot(event.clientX - press.x0, event.clientY - press.y0) < DRAG_CSS) return;
    press.moved = true;
    const pt = toPose(event);
    const index = E.people[press.person].index;
    const from = bodyOf(index)[press.joint];
    const x = Math.max(0, pt[0]);
    const y = Math.max(0, pt[1]);
    E.moved = { index: index, joint: press.joint, x: x, y: y, dx: x - from[0], dy: y - from[1] };
    E.drawSoon();
  }

  function onUp(event) {
    const press = E.press;
    E.press = null;
    if (press && press.moved && E.moved) {
      const round = (v) => Math.round(v * 100) / 100;
      E.moved.x = round(E.moved.x);
      E.moved.y = round(E.moved.y);
      const action = { op: "move", person: press.person, joint: press.joint, x: E.moved.x, y: E.moved.y };
      E.send(action);
      E.moved.id = action.id; // shown there until its answer is drawn
      E.draw();
    } else if (press && press.person !== press.was) {
      E.send({ op: "select", person: press.person });
    }
    mark();
  }

  function onCancel() {
    E.press = null;
    E.moved = null;
    E.draw();
    mark();
  }

  function onDoubleClick(event) {
    if (!E.doc) return;
    const hit = hitJoint(toPose(event));
    if (hit && E.people[hit.person].states[hit.joint] === "pinned")
      E.send({ op: "unpin", person: hit.person, joint: hit.joint });
  }

  function onKey(event) {
    if (!E.doc) return;
    const key = event.key.toLowerCase();
    const mod = event.ctrlKey || event.metaKey;
    if ((key === "delete" || key === "backspace") && E.joint !== null) {
      E.send({ op: "delete", person: E.person, joint: E.joint });
    } else if (mod && key === "z") {
      E.send({ op: event.shiftKey ? "redo" : "undo" });
    } else if (mod && key === "y") {
      E.send({ op: "redo" });
    } else if (key === "escape") {
      E.joint = null;
      E.draw();
      mark();
    } else {
      return;
    }
    event.preventDefault();
  }

  // -- drawing -------------------------------------------------------------------------------------
  let frame = 0;
  E.drawSoon = function () {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      E.draw();
    });
  };

  E.draw = function () {
    const el = E.el;
    const canvas = E.canvas;
    if (!el || !canvas || !E.config) return;
    const cssW = el.clientWidth;
    if (!cssW) return; // hidden (another tab): drawn again when it shows
    const box = viewBox();
    const bw = Math.max(box[2] - box[0], 1);
    const bh = Math.max(box[3] - box[1], 1);
    const maxH = Math.max(240, Math.min(window.innerHeight * 0.8, 1100));
    const scale = Math.min(cssW / bw, maxH / bh);
    const cssH = Math.round(bh * scale);
    const dpr = window.devicePixelRatio || 1;
    canvas.style.width = cssW + "px";
    canvas.style.height = cssH + "px";
    if (canvas.width !== Math.round(cssW * dpr)) canvas.width = Math.round(cssW * dpr);
    if (canvas.height !== Math.round(cssH * dpr)) canvas.height = Math.round(cssH * dpr);
    E.view = { x: (cssW - bw * scale) / 2 - box[0] * scale, y: -box[1] * scale, scale: scale };
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#1b1b1b";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * E.view.x, dpr * E.view.y);
    const [w, h] = canvasSize();
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, w, h);
    if (E.background && E.background.complete && E.background.naturalWidth) {
      ctx.globalAlpha = E.config.backgroundAlpha;
      ctx.drawImage(E.background, 0, 0, w, h);
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = "#606060";
    ctx.lineWidth = 1 / scale;
    ctx.strokeRect(0, 0, w, h);
    if (E.doc) drawPeople(ctx, scale);
    mark();
  };

  function drawPeople(ctx, scale) {
    const cfg = E.config;
    const px = 1 / scale; // one CSS pixel in pose pixels
    const states = {};
    E.people.forEach((person, i) => (states[person.index] = { person: person, i: i }));
    E.doc.people.forEach((raw, k) => {
      const body = shownBody(k);
      cfg.limbs.forEach((limb, i) => {
        const a = body[limb[0]];
        const b = body[limb[1]];
        if (!a || !b || !a[2] || !b[2]) return;
        const len = Math.hypot(a[0] - b[0], a[1] - b[1]);
        ctx.fillStyle = rgb(cfg.colors[i], cfg.limbScale);
        ctx.beginPath();
        ctx.ellipse((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, len / 2, Math.max(cfg.stick, 1.5 * px), Math.atan2(a[1] - b[1], a[0] - b[0]), 0, 2 * Math.PI);
        ctx.fill();
      });
      body.forEach((p, j) => {
        if (!p[2]) return;
        ctx.fillStyle = rgb(cfg.colors[j]);
        ctx.beginPath();
        ctx.arc(p[0], p[1], Math.max(cfg.jointRadius, 2.5 * px), 0, 2 * Math.PI);
        ctx.fill();
      });
      ["hand_left_keypoints_2d", "hand_right_keypoints_2d"].forEach((key) => drawHand(ctx, shownPart(k, key), px));
      ctx.fillStyle = rgb(cfg.faceColor);
      shownPart(k, "face_keypoints_2d").forEach((p) => {
        if (!p[2]) return;
        ctx.beginPath();
        ctx.arc(p[0], p[1], Math.max(cfg.faceRadius, 1.5 * px), 0, 2 * Math.PI);
        ctx.fill();
      });
      if (states[k]) drawMarks(ctx, body, states[k], px);
    });
  }

  function drawHand(ctx, pts, px) {
    const cfg = E.config;
    if (!pts.length) return;
    ctx.lineWidth = Math.max(cfg.handLine, px);
    cfg.handEdges.forEach((edge, i) => {
      const a = pts[edge[0]];
      const b = pts[edge[1]];
      if (!a || !b || !a[2] || !b[2]) return;
      ctx.strokeStyle = rgb(cfg.handEdgeColors[i]);
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.stroke();
    });
    ctx.fillStyle = rgb(cfg.handJointColor);
    pts.forEach((p) => {
      if (!p[2]) return;
      ctx.beginPath();
      ctx.arc(p[0], p[1], Math.max(cfg.handRadius, 1.5 * px), 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  // Rings on filled joints, dashed orange rings on replaced ones, boxes on pinned ones, the selection, and person
  // numbers.
  function drawMarks(ctx, body, entry, px) {
    const cfg = E.config;
    const selected = entry.i === E.person;
    ctx.lineWidth = 1.5 * px;
    body.forEach((p, j) => {
      if (!p[2]) return;
      const st = entry.person.states[j];
      ctx.strokeStyle = "#fff";
      if (st === "filled") {
        ctx.beginPath();
        ctx.arc(p[0], p[1], Math.max(cfg.ringRadius, 6 * px), 0, 2 * Math.PI);
        ctx.stroke();
      } else if (st === "replaced") {
        ctx.save();
        ctx.strokeStyle = "#ff8c00";
        ctx.setLineDash([4 * px, 3 * px]);
        ctx.beginPath();
        ctx.arc(p[0], p[1], Math.max(cfg.ringRadius, 6 * px), 0, 2 * Math.PI);
        ctx.stroke();
        ctx.restore();
      } else if (st === "pinned") {
        const r = Math.max(cfg.ringRadius, 6 * px);
        ctx.strokeRect(p[0] - r, p[1] - r, 2 * r, 2 * r);
      }
      if (selected && j === E.joint) {
        ctx.strokeStyle = "#ffd400";
        ctx.lineWidth = 2.5 * px;
        ctx.beginPath();
        ctx.arc(p[0], p[1], Math.max(cfg.ringRadius + 4, 10 * px), 0, 2 * Math.PI);
        ctx.stroke();
        ctx.lineWidth = 1.5 * px;
      }
    });
    if (E.people.length < 2) return;
    const b = personBox(entry.person);
    if (!b) return;
    ctx.font = 14 * px + "px sans-serif";
    ctx.fillStyle = selected ? "#ffd400" : "#c8c8c8";
    ctx.fillText(String(entry.i + 1), b[0], b[1] - 8 * px);
    if (selected) {
      const pad = 10 * px;
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.strokeStyle = "#ffd400";
      ctx.lineWidth = px;
      ctx.strokeRect(b[0] - pad, b[1] - pad, b[2] - b[0] + 2 * pad, b[3] - b[1] + 2 * pad);
      ctx.setLineDash([]);
    }
  }

  window.PoseFillEditor = E;
  // gradio may build the page after this runs and may replace the element later: keep it mounted.
  const observer = new MutationObserver(() => {
    const el = appRoot().querySelector("#posefill-editor");
    if (el && el !== E.el) {
      E.mount();
      mark();
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
  E.mount();
})();
