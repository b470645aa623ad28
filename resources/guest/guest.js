// Tergeu guest page: no build step, no external code. Protocol: docs/live-sessions.md (version 1).
"use strict";
(() => {
  const PROTOCOL = 1;
  const LANGS = ["kk", "ru", "en"];
  const $ = (id) => document.getElementById(id);
  const m = location.pathname.match(/\/a\/([^/]+)\/join$/);
  const action = m ? decodeURIComponent(m[1]) : "";
  const token = location.hash.slice(1);
  // the token must not stay in the address bar, history or a copied link
  if (token) history.replaceState(null, "", location.pathname + location.search);

  const st = {
    lang: "ru", texts: {}, screen: "", ws: null, pc: null, stream: null,
    credential: null, invite: null, recording: false, leaving: false, phase: "new",
    errorCode: null, resumeTimer: null, audioCtx: null, attempts: 0,
    acts: [], act: null, stills: [], corruptNext: 0, pointer: null, pointerTimer: null,
    facing: "unknown", exhibit: null, exhibitStream: null,
  };
  const api = (window.tergeuGuest = {
    get state() { return st.phase; }, get screen() { return st.screen; },
    get error() { return st.errorCode; }, get recording() { return st.recording; },
    get act() { return st.act; }, get stills() { return st.stills.slice(); },
    get exhibit() { return st.exhibit; },
    stats, tileFrames, lang: () => st.lang,
    // automation: drop the connections as a network failure would (the page then resumes)
    simulateNetworkLoss() { dropMedia(); if (st.ws) st.ws.close(); },
    // automation: damage the next n still uploads in transit (the server must refuse them)
    corruptNextUploads(n) { st.corruptNext = n; },
  });

  // ---------- language ----------
  function t(key, vars) {
    let s = st.texts[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", String(v));
    return s;
  }
  async function setLang(lang) {
    if (!LANGS.includes(lang)) lang = "ru";
    const res = await fetch("/guest/i18n/" + lang + ".json", { cache: "no-store" });
    st.texts = await res.json();
    st.lang = lang;
    try { localStorage.setItem("tergeu-lang", lang); } catch (e) { /* private mode */ }
    document.documentElement.lang = lang;
    document.title = t("page_title");
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const b of document.querySelectorAll(".lang"))
      b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
    $("preview").setAttribute("aria-label", t("preview_label"));
    $("self").setAttribute("aria-label", t("self_label"));
    renderWho();
    renderAct();
    renderExhibit();
    if (st.phase === "reconnecting") banner(t("reconnecting", { n: st.attempts }));
    if (st.errorCode) showError(st.errorCode, st.errorVars);
  }
  function initialLang() {
    const q = new URLSearchParams(location.search).get("lang");
    let saved = null;
    try { saved = localStorage.getItem("tergeu-lang"); } catch (e) { /* ignore */ }
    const nav = (navigator.language || "ru").slice(0, 2);
    return [q, saved, nav].find((l) => LANGS.includes(l)) || "ru";
  }

  // ---------- screens ----------
  function show(name) {
    st.screen = name;
    for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== "screen-" + name;
    const h = document.querySelector("#screen-" + name + " h1");
    const focusTarget = { pin: $("pin"), rules: $("ack") }[name] || h;
    if (name === "act") window.scrollTo(0, 0);
    if (focusTarget) { if (focusTarget === h) h.tabIndex = -1; focusTarget.focus(); }
  }
  function banner(text) { const b = $("banner"); b.textContent = text || ""; b.hidden = !text; }
  function showError(code, vars) {
    st.errorCode = code; st.errorVars = vars;
    const key = "err_" + code;
    const text = st.texts[key] ? t(key, vars) : t("err_generic", { code });
    if (code === "pin_wrong") {
      $("pin-error").textContent = text; $("pin").value = ""; $("pin").focus(); return;
    }
    // the guest never got in (or cannot get back): not "session ended"
    $("ended-title").dataset.i18n = "error_title";
    $("ended-title").textContent = t("error_title");
    $("ended-text").textContent = text;
    show("ended");
  }
  function renderWho() {
    if (!st.invite) return;
    $("who").textContent = t("who", {
      name: st.invite.display_name, role: t("role_" + st.invite.role), action: st.invite.action_title,
    });
  }
  function renderExhibit() {
    // an exhibit is shown: its own large tile with its label, the investigator's tile smaller
    const e = st.exhibit, v = $("exhibit"), tag = $("exhibit-label");
    $("remote-label").textContent = t("investigator");
    tag.textContent = e ? t("exhibit_label", { n: e.number, title: e.title || "" }) : "";
    tag.hidden = !e;
    $("stage").classList.toggle("exhibiting", !!e);
    if (e && st.exhibitStream && v.srcObject !== st.exhibitStream) v.srcObject = st.exhibitStream;
    if (!e) v.srcObject = null; // no frozen last picture of the previous exhibit
    v.hidden = !e;
  }
  function setRecording(on) {
    st.recording = on;
    $("rec").hidden = !on;
  }

  // ---------- signaling ----------
  function send(type, data) {
    if (st.ws && st.ws.readyState === WebSocket.OPEN)
      st.ws.send(JSON.stringify(Object.assign({ type }, data || {})));
  }
  function connect(first) {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    const ws = new WebSocket(url);
    st.ws = ws;
    ws.onopen = () => {
      if (st.credential) send("resume", { protocol: PROTOCOL, action, credential: st.credential });
      else send("hello", { protocol: PROTOCOL, action, token });
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      onMessage(msg).catch((e) => { console.error(e); banner(t("err_generic", { code: "client" })); });
    };
    ws.onclose = () => {
      if (ws !== st.ws) return;
      if (st.leaving || st.screen === "ended") return;
      if (st.credential) {
        // the network or the investigator's application is gone: say so, keep trying
        st.phase = "reconnecting"; st.attempts += 1;
        setRecording(false);
        dropMedia();
        $("net").textContent = t("net_lost");
        banner(t("reconnecting", { n: st.attempts }));
        // an open request dies with the connection; the investigator asks again
        st.act = null; st.acts = []; clearPointer();
        st.exhibit = null; renderExhibit(); // the new connection is told again
        if (st.screen === "act") show("session");
        clearTimeout(st.resumeTimer);
        st.resumeTimer = setTimeout(() => connect(false), Math.min(1000 + 250 * st.attempts, 3000));
      } else if (first) {
        showError("network");
      }
    };
  }
  async function onMessage(msg) {
    switch (msg.type) {
      case "invite":
        st.invite = msg; st.phase = "invited"; renderWho();
        break;
      case "lobby":
        st.phase = "waiting"; st.attempts = 0; banner(""); show("lobby");
        break;
      case "admitted":
        if (msg.credential) st.credential = msg.credential;
        st.iceServers = msg.ice_servers;
        st.phase = "admitted"; st.attempts = 0; $("net").textContent = ""; banner("");
        break;
      case "show_text": st.acts.push(msg); if (!st.act) nextAct(); break;
      case "act_result": actResult(msg); break;
      case "capture_still": captureStill(msg); break;
      case "still_stored": break; // the upload's own reply already confirmed it
      case "pointer": pointer(msg); break;
      case "exhibit": st.exhibit = msg.active ? msg : null; renderExhibit(); break;
      case "recording": setRecording(!!msg.active); break;
      case "offer": await answer(msg.sdp); break;
      case "roster": roster(msg.slots); break;
      case "declined": st.leaving = true; showError("declined"); break;
      case "bye": // after our own hang-up the server confirms with bye: keep "you left"
        if (st.phase === "ended") break;
        st.leaving = true; st.phase = "ended"; dropMedia(); setRecording(false); clearPointer();
        $("ended-text").textContent = t("ended_text"); show("ended"); break;
      case "error":
        if (msg.code === "pin_wrong") showError("pin_wrong", { n: msg.attempts_left });
        else if (msg.fatal) { st.leaving = true; showError(msg.code); }
        else console.warn("server:", msg.code, msg.message);
        break;
      default: break;
    }
  }

  // ---------- devices ----------
  async function startDevices() {
    $("dev-next").disabled = true; banner("");
    let request = null, late = false;
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw { name: "Insecure" };
      request = navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } },
      });
      // a camera that never answers: say so and offer "try again" instead of a blank preview
      const slow = new Promise((_, reject) => setTimeout(() => {
        late = true; reject({ name: "NotReadableError" });
      }, 12000));
      st.stream = await Promise.race([request, slow]);
    } catch (e) {
      if (late && request) request.then((s) => s.getTracks().forEach((x) => x.stop())).catch(() => {});
      const code = { NotAllowedError: "camera_blocked", NotFoundError: "no_camera",
        NotReadableError: "camera_busy", Insecure: "insecure" }[e && e.name] || "camera_blocked";
      banner(t("err_" + code));
      return;
    }
    // evidence: keep the resolution steady under load (lower the frame rate instead)
    for (const v of st.stream.getVideoTracks()) if ("contentHint" in v) v.contentHint = "detail";
    $("preview").srcObject = st.stream;
    meter(st.stream);
    $("dev-next").disabled = false;
    $("dev-next").focus();
  }
  function unlockAudio() {
    // inside the click: Safari and Firefox start an AudioContext made without a gesture suspended
    try {
      st.audioCtx = st.audioCtx || new AudioContext();
      st.audioCtx.resume().catch(() => {});
    } catch (e) { /* no Web Audio: the meter stays hidden */ }
  }
  function meter(stream) {
    // a bar that never moves would say "your microphone is dead": show it only while it runs
    // (an AudioContext does not run without an audio output device, e.g. Firefox on a PC
    // without speakers)
    const box = $("level-box");
    box.hidden = true;
    try {
      unlockAudio();
      const ctx = st.audioCtx;
      const shown = () => { box.hidden = ctx.state !== "running"; };
      ctx.onstatechange = shown;
      shown();
      const src = st.audioCtx.createMediaStreamSource(stream);
      const an = st.audioCtx.createAnalyser();
      an.fftSize = 512; src.connect(an);
      const buf = new Float32Array(an.fftSize);
      const tick = () => {
        an.getFloatTimeDomainData(buf);
        let sum = 0; for (const v of buf) sum += v * v;
        $("level").value = Math.min(1, Math.sqrt(sum / buf.length) * 4);
        if (st.screen === "devices") requestAnimationFrame(tick);
      };
      tick();
    } catch (e) { /* the meter is a convenience; the preview still shows */ }
  }

  // ---------- media ----------
  async function answer(sdp) {
    dropMedia();
    const pc = new RTCPeerConnection({ iceServers: st.iceServers || [], bundlePolicy: "max-bundle" });
    st.pc = pc;
    pc.ontrack = (ev) => onTrack(ev);
    pc.onconnectionstatechange = () => {
      if (pc !== st.pc) return;
      if (pc.connectionState === "connected") { st.phase = "connected"; $("net").textContent = ""; }
      if (pc.connectionState === "failed" || pc.connectionState === "disconnected")
        $("net").textContent = t("net_lost");
      if (pc.connectionState === "failed" && st.ws) st.ws.close();
    };
    await pc.setRemoteDescription({ type: "offer", sdp });
    // after setRemoteDescription, so our tracks ride the hub's first sendrecv transceivers
    for (const track of st.stream ? st.stream.getTracks() : []) pc.addTrack(track, st.stream);
    await pc.setLocalDescription(await pc.createAnswer());
    for (const sender of pc.getSenders()) {
      if (!sender.track || sender.track.kind !== "video") continue;
      const params = sender.getParameters();
      params.degradationPreference = "maintain-resolution";
      sender.setParameters(params).catch(() => { /* not supported: contentHint still applies */ });
    }
    await gathered(pc, 3000);
    send("answer", { sdp: pc.localDescription.sdp });
    $("self").srcObject = st.stream;
    if (st.screen !== "act") show("session");
    updateSwitch();
  }
  function gathered(pc, ms) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, ms);
    });
  }
  function isExhibitSlot(pc, transceiver) {
    // the hub's last audio+video pair (docs/exhibits.md); earlier ones: the investigator, others
    const theirs = pc.getTransceivers().filter((x) => x.mid !== null).map((x) => Number(x.mid));
    const last = Math.max(...theirs);
    return theirs.length >= 4 && Number(transceiver.mid) >= last - 1;
  }
  function onTrack(ev) {
    const mid = Number(ev.transceiver.mid);
    if (mid <= 1) { $("remote").srcObject = mergeInto($("remote"), ev.track); return; }
    if (isExhibitSlot(st.pc, ev.transceiver)) {
      const s = st.exhibitStream || new MediaStream();
      for (const old of s.getTracks()) if (old.kind === ev.track.kind) s.removeTrack(old);
      s.addTrack(ev.track);
      st.exhibitStream = s;
      renderExhibit();
      return;
    }
    const slot = Math.floor((mid - 2) / 2);
    let v = document.getElementById("slot-" + slot);
    if (!v) {
      v = document.createElement("video");
      v.id = "slot-" + slot; v.autoplay = true; v.playsInline = true; v.hidden = true;
      $("others").appendChild(v);
    }
    v.srcObject = mergeInto(v, ev.track);
  }
  function mergeInto(el, track) {
    const s = el.srcObject instanceof MediaStream ? el.srcObject : new MediaStream();
    for (const old of s.getTracks()) if (old.kind === track.kind) s.removeTrack(old);
    s.addTrack(track);
    return s;
  }
  function roster(slots) {
    slots.forEach((who, i) => {
      const v = document.getElementById("slot-" + i);
      if (!v) return;
      v.hidden = !who;
      v.setAttribute("aria-label", who ? who.display_name : "");
    });
  }
  function dropMedia() {
    if (st.pc) { st.pc.close(); st.pc = null; }
    st.exhibitStream = null;
  }
  // automation: frames decoded so far on the investigator's and the exhibit's video receivers,
  // audio packets received on the exhibit's audio receiver, and whether its tile plays
  async function tileFrames() {
    const out = { investigator: 0, exhibit: 0, exhibitAudio: 0, playing: !$("exhibit").paused };
    const pc = st.pc;
    if (!pc) return out;
    for (const x of pc.getTransceivers()) {
      if (x.mid === null) continue;
      const video = x.receiver.track.kind === "video";
      const which = Number(x.mid) <= 1 ? (video ? "investigator" : null)
        : isExhibitSlot(pc, x) ? (video ? "exhibit" : "exhibitAudio") : null;
      if (!which) continue;
      (await x.receiver.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp") out[which] += (video ? r.framesDecoded : r.packetsReceived) || 0;
      });
    }
    return out;
  }
  async function stats() {
    const out = { videoFramesDecoded: 0, audioPacketsReceived: 0, videoFramesSent: 0, connection: null };
    if (!st.pc) return out;
    out.connection = st.pc.connectionState;
    const report = await st.pc.getStats();
    report.forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") out.videoFramesDecoded += r.framesDecoded || 0;
      if (r.type === "inbound-rtp" && r.kind === "audio") out.audioPacketsReceived += r.packetsReceived || 0;
      if (r.type === "outbound-rtp" && r.kind === "video") out.videoFramesSent += r.framesEncoded || 0;
    });
    return out;
  }

  // ---------- acknowledgments and read-back (the guest's own acts) ----------
  async function sha256Hex(data) {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data.normalize("NFC")) : data;
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function paragraphs(el, text) {
    el.textContent = "";
    for (const part of text.split(/\n{2,}/)) {
      const p = document.createElement("p"); p.textContent = part; el.appendChild(p);
    }
  }
  function nextAct() {
    st.act = st.acts.shift() || null;
    if (!st.act) { if (st.screen === "act") show(st.pc ? "session" : "lobby"); return; }
    const a = st.act, readBack = a.purpose === "read_back";
    $("act-title").textContent = a.title;
    paragraphs($("act-text"), a.text);
    $("act-draft-box").hidden = !readBack;
    $("act-refuse-box").hidden = !readBack && a.purpose !== "confirm_identity";
    if (readBack) { paragraphs($("act-draft"), a.draft || ""); $("act-remarks").value = ""; }
    $("act-reason").value = ""; $("act-name").value = ""; $("act-error").textContent = "";
    renderAct();
    show("act");
  }
  function renderAct() {
    if (!st.act) return;
    const submit = { read_back: "read_back_confirm", confirm_identity: "identity_confirm" };
    const refuse = { read_back: ["refuse_label", "refuse_button"],
      confirm_identity: ["identity_refuse_label", "identity_refuse_button"] };
    $("act-submit").textContent = t(submit[st.act.purpose] || "understand");
    const [label, button] = refuse[st.act.purpose] || refuse.read_back;
    document.querySelector("label[for=act-reason]").textContent = t(label);
    $("act-refuse").textContent = t(button);
    $("act-name-help").textContent = t("act_name_help", {
      name: st.invite ? st.invite.display_name : "" });
  }
  async function submitAct(decision) {
    const a = st.act;
    if (!a) return;
    const name = $("act-name").value.trim();
    if ((decision === "acknowledged" || a.purpose === "confirm_identity") && !name) {
      $("act-error").textContent = t("err_name_empty"); $("act-name").focus(); return;
    }
    if (decision === "refused" && !$("act-reason").value.trim()) {
      $("act-error").textContent = t("err_reason_empty"); $("act-reason").focus(); return;
    }
    $("act-error").textContent = t("act_sending");
    // the hash of exactly what this page showed: the title, a blank line, the text
    const textHash = await sha256Hex(a.title + "\n\n" + a.text);
    if (a.purpose === "confirm_identity") {
      send("confirm_reply", { request_id: a.request_id, confirmed: decision === "acknowledged",
        note: decision === "refused" ? $("act-reason").value.trim() : "", typed_name: name });
      return;
    }
    if (a.purpose === "read_back") {
      send("read_back_reply", {
        request_id: a.request_id, decision, remarks: $("act-remarks").value,
        reason: decision === "refused" ? $("act-reason").value.trim() : "",
        typed_name: name, text_sha256: textHash, draft_sha256: await sha256Hex(a.draft || ""),
      });
    } else {
      send("acknowledge", { request_id: a.request_id, typed_name: name, text_sha256: textHash });
    }
  }
  function actResult(msg) {
    if (!st.act || msg.request_id !== st.act.request_id) return;
    if (!msg.ok) {
      const key = "act_err_" + (msg.code || "not_accepted");
      $("act-error").textContent = st.texts[key] ? t(key) : t("act_refused", { reason: msg.message });
      $("act-name").focus();
      return;
    }
    $("act-error").textContent = "";
    st.act = null;
    stillStatus(t("act_recorded"));
    setTimeout(() => { if ($("still-status").textContent === t("act_recorded")) stillStatus(""); }, 4000);
    nextAct();
  }

  // ---------- stills at the camera's full resolution ----------
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  function stillStatus(text) { const el = $("still-status"); el.textContent = text; el.hidden = !text; }
  async function grab(track) {
    if ("ImageCapture" in window) {
      try { return await new ImageCapture(track).grabFrame(); } catch (e) { /* fall back */ }
    }
    const v = document.createElement("video");
    v.muted = true; v.playsInline = true; v.srcObject = new MediaStream([track]);
    await v.play();
    return v;
  }
  async function photo(track, w, h) {
    // the camera's own photo pipeline, when it gives at least the video's native size
    if (!("ImageCapture" in window)) return null;
    try {
      const ic = new ImageCapture(track);
      const pc = await ic.getPhotoCapabilities();
      const blob = await ic.takePhoto({ imageWidth: pc.imageWidth.max, imageHeight: pc.imageHeight.max });
      const bmp = await createImageBitmap(blob);
      const big = bmp.width * bmp.height >= w * h && ["image/png", "image/jpeg"].includes(blob.type);
      return big ? blob : null;
    } catch (e) { return null; }
  }
  async function frameOf(track, width, height) {
    let img = null, iw = 0, ih = 0;
    for (let i = 0; i < 60; i++) { // frames already in flight still have the old size
      img = await grab(track);
      iw = img.videoWidth || img.width; ih = img.videoHeight || img.height;
      if (iw === width && ih === height) break;
      await sleep(50);
    }
    return { img, iw, ih };
  }
  async function takeStill(requestId) {
    const track = st.stream && st.stream.getVideoTracks()[0];
    if (!track || track.readyState !== "live") throw new Error("no camera");
    const before = track.getSettings();
    const caps = track.getCapabilities ? track.getCapabilities() : {};
    const w = (caps.width && caps.width.max) || before.width;
    const h = (caps.height && caps.height.max) || before.height;
    send("still_capture", { request_id: requestId, phase: "start" });
    let raised = false;
    try {
      const native = await photo(track, w, h);
      if (native) return native;
      if (w > before.width || h > before.height) {
        // the camera's native size for one frame; the live video goes back right after
        try { await track.applyConstraints({ width: { ideal: w }, height: { ideal: h } }); raised = true; }
        catch (e) { /* keep the current size */ }
      }
      const want = track.getSettings();
      const { img, iw, ih } = await frameOf(track, want.width, want.height);
      const canvas = document.createElement("canvas");
      canvas.width = iw; canvas.height = ih;
      canvas.getContext("2d").drawImage(img, 0, 0, iw, ih);
      const blob = await new Promise((r) => canvas.toBlob(r, "image/png")); // lossless
      if (!blob) throw new Error("the picture could not be encoded");
      return blob;
    } finally {
      if (raised) {
        await track.applyConstraints({
          width: { ideal: before.width }, height: { ideal: before.height } }).catch(() => {});
        await frameOf(track, before.width, before.height).catch(() => {});
      }
      send("still_capture", { request_id: requestId, phase: "end" });
    }
  }
  function upload(msg, body, type, digest) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", msg.upload_url);
      xhr.setRequestHeader("Content-Type", type);
      xhr.setRequestHeader("X-Tergeu-Ticket", msg.ticket);
      xhr.setRequestHeader("X-Tergeu-Sha256", digest);
      xhr.upload.onprogress = (ev) => {
        if (ev.lengthComputable)
          stillStatus(t("still_uploading", { p: Math.round((100 * ev.loaded) / ev.total) }));
      };
      xhr.onload = () => {
        let reply = {}; try { reply = JSON.parse(xhr.responseText); } catch (e) { /* keep {} */ }
        resolve({ status: xhr.status, reply });
      };
      xhr.onerror = () => resolve({ status: 0, reply: {} });
      xhr.send(body);
    });
  }
  async function captureStill(msg) {
    stillStatus(t("still_taking"));
    let blob;
    try { blob = await takeStill(msg.request_id); } catch (e) {
      stillStatus(t("still_failed"));
      send("still_failed", { request_id: msg.request_id, message: String((e && e.message) || e) });
      return;
    }
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const digest = await sha256Hex(bytes);
    const record = { request_id: msg.request_id, kind: msg.kind, sha256: digest, attempts: 0,
      refused: [], stored: false };
    st.stills.push(record);
    for (let attempt = 1; attempt <= 5; attempt++) {
      record.attempts = attempt;
      let body = bytes;
      if (st.corruptNext > 0) { st.corruptNext -= 1; body = bytes.slice(); body[body.length >> 1] ^= 0xff; }
      const res = await upload(msg, body, blob.type, digest);
      if (res.status === 200) {
        Object.assign(record, { stored: true, width: res.reply.width, height: res.reply.height });
        stillStatus(t("still_stored"));
        setTimeout(() => { if ($("still-status").textContent === t("still_stored")) stillStatus(""); }, 4000);
        return;
      }
      record.refused.push(res.reply.code || String(res.status));
      if (res.status !== 0 && res.status !== 422 && res.status < 500) break; // refused for good
      stillStatus(t("still_retry", { n: attempt }));
      await sleep(300 * attempt);
    }
    stillStatus(t("still_failed"));
    send("still_failed", { request_id: msg.request_id, message: "upload refused: " + record.refused.join(", ") });
  }

  // ---------- the investigator's pointer over the guest's own camera view ----------
  function placePointer() {
    const msg = st.pointer, v = $("self"), p = $("pointer");
    if (!msg) return;
    // where the picture really is inside the element (object-fit: contain)
    const vw = v.videoWidth || 4, vh = v.videoHeight || 3;
    const s = Math.min(v.clientWidth / vw, v.clientHeight / vh);
    p.style.left = v.offsetLeft + (v.clientWidth - vw * s) / 2 + msg.x * vw * s + "px";
    p.style.top = v.offsetTop + (v.clientHeight - vh * s) / 2 + msg.y * vh * s + "px";
    p.hidden = false;
  }
  function pointer(msg) {
    st.pointer = msg;
    $("stage").classList.add("pointing");
    $("pointer-label").textContent = msg.label || t("pointer_here");
    $("pointer").classList.toggle("label-left", msg.x > 0.6); // keep the label inside the view
    stillStatus(t("pointer_notice"));
    requestAnimationFrame(placePointer);
    clearTimeout(st.pointerTimer);
    st.pointerTimer = setTimeout(clearPointer, msg.seconds * 1000);
  }
  function clearPointer() {
    clearTimeout(st.pointerTimer);
    st.pointer = null;
    $("pointer").hidden = true; $("stage").classList.remove("pointing");
    if ($("still-status").textContent === t("pointer_notice")) stillStatus("");
  }

  // ---------- front / rear camera ----------
  async function cameras() {
    try { return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput"); }
    catch (e) { return []; }
  }
  async function updateSwitch() { $("switch-cam").hidden = (await cameras()).length < 2; }
  async function framesEncoded() {
    let n = 0;
    if (!st.pc) return n;
    (await st.pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "video") n += r.framesEncoded || 0;
    });
    return n;
  }
  async function useCamera(device) {
    const fresh = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: device.deviceId },
      width: { ideal: 640 }, height: { ideal: 480 } } });
    const track = fresh.getVideoTracks()[0];
    if ("contentHint" in track) track.contentHint = "detail";
    // same sender, no renegotiation: the hub keeps recording this participant's video track
    const sender = st.pc && st.pc.getSenders().find((s) => s.track && s.track.kind === "video");
    const old = st.stream.getVideoTracks()[0];
    if (sender) await sender.replaceTrack(track);
    st.stream.removeTrack(old); old.stop(); st.stream.addTrack(track);
    $("self").srcObject = st.stream;
    if (!sender) return track;
    // some "cameras" give pictures the video encoder cannot send (infrared, depth): check
    const before = await framesEncoded();
    for (let i = 0; i < 20; i++) {
      await sleep(100);
      if ((await framesEncoded()) > before + 2) return track;
    }
    return null;
  }
  async function switchCamera() {
    const old = st.stream && st.stream.getVideoTracks()[0];
    const list = await cameras();
    if (!old || list.length < 2) return;
    $("switch-cam").disabled = true;
    try {
      const start = list.findIndex((d) => d.deviceId === old.getSettings().deviceId);
      for (let step = 1; step < list.length; step++) {
        let track = null;
        try { track = await useCamera(list[(start + step) % list.length]); } catch (e) { continue; }
        if (!track) continue; // unusable: try the next one
        const facing = track.getSettings().facingMode || "unknown";
        st.facing = ["user", "environment"].includes(facing) ? facing : "unknown";
        send("camera_switched", { facing: st.facing, label: (track.label || "").slice(0, 200) });
        return;
      }
      banner(t("err_camera_busy"));
    } finally { $("switch-cam").disabled = false; }
  }

  // ---------- wiring ----------
  function hangup() {
    st.leaving = true;
    send("leave");
    dropMedia();
    if (st.stream) for (const tr of st.stream.getTracks()) tr.stop();
    setRecording(false);
    st.phase = "ended";
    $("ended-text").textContent = t("ended_left");
    show("ended");
  }
  async function main() {
    for (const b of document.querySelectorAll(".lang")) b.onclick = () => setLang(b.dataset.lang);
    // a browser without WebRTC is told at once, before the invitation is used (the PIN)
    const noWebRTC = typeof RTCPeerConnection === "undefined";
    if (action && token && !noWebRTC) connect(true); // in parallel with loading the texts
    await setLang(initialLang());
    if (noWebRTC) { st.leaving = true; showError("no_webrtc"); return; }
    $("ack").onchange = () => { $("rules-next").disabled = !$("ack").checked; };
    $("rules-next").onclick = () => { unlockAudio(); show("devices"); startDevices(); };
    $("dev-retry").onclick = () => { unlockAudio(); startDevices(); };
    $("dev-next").onclick = () => show("pin");
    $("pin-form").onsubmit = (ev) => {
      ev.preventDefault();
      const pin = $("pin").value.trim();
      if (!/^[0-9]{6}$/.test(pin)) { $("pin-error").textContent = t("err_pin_format"); return; }
      $("pin-error").textContent = "";
      send("pin", { pin, acknowledged: $("ack").checked, language: st.lang });
    };
    $("hangup").onclick = hangup;
    $("switch-cam").onclick = () => switchCamera();
    $("act-form").onsubmit = (ev) => { ev.preventDefault(); submitAct("acknowledged"); };
    $("act-refuse").onclick = () => submitAct("refused");
    window.addEventListener("offline", () => { $("net").textContent = t("net_lost"); });
    window.addEventListener("resize", () => requestAnimationFrame(placePointer));
    $("self").addEventListener("resize", () => requestAnimationFrame(placePointer));
    if (!action || !token) { showError("unknown"); return; }
    if (st.screen !== "ended") show("rules");
  }
  main();
})();
