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
    errorCode: null, resumeTimer: null, audioCtx: null,
  };
  const api = (window.tergeuGuest = {
    get state() { return st.phase; }, get screen() { return st.screen; },
    get error() { return st.errorCode; }, get recording() { return st.recording; },
    stats, lang: () => st.lang,
    // automation: drop the connections as a network failure would (the page then resumes)
    simulateNetworkLoss() { dropMedia(); if (st.ws) st.ws.close(); },
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
    $("ended-text").textContent = text;
    show("ended");
  }
  function renderWho() {
    if (!st.invite) return;
    $("who").textContent = t("who", {
      name: st.invite.display_name, role: t("role_" + st.invite.role), action: st.invite.action_title,
    });
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
        $("net").textContent = t("net_lost");
        dropMedia();
        clearTimeout(st.resumeTimer);
        st.resumeTimer = setTimeout(() => connect(false), 1000);
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
        st.phase = "waiting"; show("lobby");
        break;
      case "admitted":
        if (msg.credential) st.credential = msg.credential;
        st.iceServers = msg.ice_servers;
        st.phase = "admitted"; $("net").textContent = ""; banner("");
        break;
      case "recording": setRecording(!!msg.active); break;
      case "offer": await answer(msg.sdp); break;
      case "roster": roster(msg.slots); break;
      case "declined": st.leaving = true; showError("declined"); break;
      case "bye": st.leaving = true; st.phase = "ended"; dropMedia(); setRecording(false);
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
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw { name: "Insecure" };
      st.stream = await navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } },
      });
    } catch (e) {
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
  function meter(stream) {
    try {
      st.audioCtx = st.audioCtx || new AudioContext();
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
    show("session");
  }
  function gathered(pc, ms) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, ms);
    });
  }
  function onTrack(ev) {
    const mid = Number(ev.transceiver.mid);
    if (mid <= 1) { $("remote").srcObject = mergeInto($("remote"), ev.track); return; }
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
    if (action && token) connect(true); // in parallel with loading the texts
    await setLang(initialLang());
    $("ack").onchange = () => { $("rules-next").disabled = !$("ack").checked; };
    $("rules-next").onclick = () => { show("devices"); startDevices(); };
    $("dev-retry").onclick = () => startDevices();
    $("dev-next").onclick = () => show("pin");
    $("pin-form").onsubmit = (ev) => {
      ev.preventDefault();
      const pin = $("pin").value.trim();
      if (!/^[0-9]{6}$/.test(pin)) { $("pin-error").textContent = t("err_pin_format"); return; }
      $("pin-error").textContent = "";
      send("pin", { pin, acknowledged: $("ack").checked, language: st.lang });
    };
    $("hangup").onclick = hangup;
    window.addEventListener("offline", () => { $("net").textContent = t("net_lost"); });
    if (!action || !token) { showError("unknown"); return; }
    if (st.screen !== "ended") show("rules");
  }
  main();
})();
