// The devserver's chat page: a user-mode Moobius client in plain JavaScript.
//
// It speaks the public API only (PROTOCOL.md): HTTP for sign-in, channels,
// groups and profiles; one websocket for user_login, message_up, action,
// heartbeat (sent) and copy, message_down, update (received). Every frame
// and HTTP call is shown in the Frames tab.
"use strict";

(function () {
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };
  const uuid = () =>
    crypto.randomUUID
      ? crypto.randomUUID()
      : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
          (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)
        );
  const HEARTBEAT_MS = 30000;
  const MAX_FRAMES = 1000;

  // ---- state -----------------------------------------------------------
  const S = {
    email: "",
    access: "",
    refresh: "",
    me: null, // {user_id, name, avatar}
    ws: null,
    loggedIn: false,
    heartbeat: null,
    pending: new Map(), // request_id -> {resolve, type}
    inbox: Promise.resolve(),
    channels: [],
    channel: null, // {channel_id, channel_name}
    characters: [], // ids in order
    profiles: new Map(), // id -> {name, avatar, description}
    selected: new Set(), // recipients ticked in the character list
    buttons: [],
    menu: [],
    canvas: [],
    style: [],
    canvasExpanded: true,
    groups: new Map(), // group id -> [ids]
    upGroups: new Map(), // JSON of ids -> group id (message_up recipients)
    frames: [],
    stopping: false,
  };

  // ---- frames log ------------------------------------------------------
  function logFrame(dir, summary, payload, extraClass) {
    const now = new Date();
    const time = now.toTimeString().slice(0, 8) + "." + String(now.getMilliseconds()).padStart(3, "0");
    const text = typeof payload === "string" ? payload : JSON.stringify(payload, null, 2);
    const li = el(
      "li",
      { class: `${dir} folded ${extraClass || ""}` },
      el("div", { class: "summary" },
        el("span", { class: "time", text: time }),
        el("span", { class: "dir", text: { out: "→ ws", in: "← ws", http: "HTTP" }[dir] }),
        el("span", { text: summary })
      ),
      el("pre", { text })
    );
    li.firstChild.addEventListener("click", () => li.classList.toggle("folded"));
    const list = $("#frames");
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    list.append(li);
    if (atBottom) list.scrollTop = list.scrollHeight;
    S.frames.push(li);
    while (S.frames.length > MAX_FRAMES) S.frames.shift().remove();
    $("#frame-count").textContent = String(list.children.length);
  }

  function prettyFrame(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (_) {
      return text;
    }
  }

  function frameSummary(f) {
    const b = f && typeof f.body === "object" && f.body ? f.body : {};
    let s = String(f.type || "?");
    if (b.subtype) s += " / " + b.subtype;
    if (f.type === "copy") s += ` ${b.origin_type || ""} status=${b.status}`;
    if (b.content && typeof b.content.text === "string") s += ` “${b.content.text.slice(0, 60)}”`;
    return s;
  }

  // ---- HTTP ------------------------------------------------------------
  async function api(method, path, body, retried) {
    const headers = { "Auth-Origin": "cognito" };
    if (S.access && !path.startsWith("/auth/")) headers.Authorization = "Bearer " + S.access;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const shown = path.startsWith("/auth/")
      ? { username: body && body.username, "…": "secret omitted" }
      : body;
    let resp, data;
    try {
      resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      data = await resp.json();
    } catch (e) {
      logFrame("http", `${method} ${path} failed: ${e}`, String(e));
      throw new Error(`${method} ${path}: ${e}`);
    }
    const ok = data && (data.code === 10000 || data.code === 204);
    const logged = path.startsWith("/auth/") ? { code: data.code, message: data.message, data: "(tokens omitted)" } : data;
    logFrame("http", `${method} ${path} → ${resp.status} code=${data && data.code}`,
      { request: shown === undefined ? null : shown, response: logged });
    if (!ok && !retried && resp.status === 401 && S.refresh && !path.startsWith("/auth/")) {
      if (await refreshToken()) return api(method, path, body, true);
    }
    if (!ok) throw new Error((data && data.message) || `${method} ${path} failed (code ${data && data.code})`);
    return data.data;
  }

  async function refreshToken() {
    try {
      const d = await api("POST", "/auth/refresh", { username: S.email, refresh_token: S.refresh }, true);
      S.access = d.AuthenticationResult.AccessToken;
      return true;
    } catch (_) {
      return false;
    }
  }

  // ---- toast -----------------------------------------------------------
  let toastTimer = null;
  function toast(text, bad) {
    const t = $("#toast");
    t.textContent = text;
    t.className = bad ? "bad" : "";
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (t.hidden = true), 4000);
  }

  // ---- views -----------------------------------------------------------
  function show(view) {
    for (const v of ["signin", "channels", "room", "frames"]) $(`#${v}-view`).hidden = v !== view;
    $("#tab-chat").classList.toggle("active", view !== "frames");
    $("#tab-frames").classList.toggle("active", view === "frames");
  }
  let chatView = "signin";
  function showChat(view) {
    chatView = view;
    show(view);
  }

  function setStatus(kind, text) {
    const s = $("#conn-status");
    s.className = "status " + kind;
    s.textContent = text;
  }

  // ---- sign-in ---------------------------------------------------------
  function demoAccounts() {
    const m = document.querySelector('meta[name="moobius-demo-accounts"]');
    if (!m) return [];
    try {
      const v = JSON.parse(m.content);
      return Array.isArray(v) ? v : [];
    } catch (_) {
      return [];
    }
  }

  function renderDemoAccounts() {
    const accounts = demoAccounts();
    const box = $("#demo-accounts");
    box.replaceChildren();
    for (const a of accounts) {
      box.append(
        el("button", { type: "button", class: "demo-account", "data-email": a.email, onclick: () => signIn(a.email, a.password) },
          avatarOf(a.email.split("@")[0], ""),
          el("span", { text: a.email }))
      );
    }
    $("#demo-block").hidden = accounts.length === 0;
  }

  async function signIn(email, password) {
    $("#signin-error").hidden = true;
    try {
      const d = await api("POST", "/auth/sign_in", { username: email, password });
      S.email = email;
      S.access = d.AuthenticationResult.AccessToken;
      S.refresh = d.AuthenticationResult.RefreshToken;
      const info = await api("GET", "/user/info");
      const ctx = info.context || {};
      S.me = { user_id: info.user_id, name: ctx.name || email, avatar: ctx.avatar || "" };
      S.profiles.set(S.me.user_id, { name: S.me.name, avatar: S.me.avatar, description: ctx.description || "" });
      $("#whoami").textContent = S.me.name + " · " + email;
      $("#sign-out").hidden = false;
      $("#tabs").hidden = false;
      await connect();
      await loadChannels();
      const want = hashParam("channel");
      const target = want && S.channels.find((c) => c.channel_id === want);
      if (target) await openChannel(target);
      else showChat("channels");
    } catch (e) {
      const p = $("#signin-error");
      p.textContent = "Sign-in failed: " + e.message;
      p.hidden = false;
    }
  }

  async function signOut() {
    S.stopping = true;
    try {
      await api("POST", "/auth/sign_out", { access_token: S.access });
    } catch (_) {
      /* the token may have expired already */
    }
    disconnect();
    Object.assign(S, { access: "", refresh: "", me: null, channel: null, stopping: false });
    $("#whoami").textContent = "";
    $("#sign-out").hidden = true;
    $("#tabs").hidden = true;
    history.replaceState(null, "", location.pathname);
    showChat("signin");
  }

  function hashParam(name) {
    const h = new URLSearchParams(location.hash.replace(/^#/, ""));
    return h.get(name) || new URLSearchParams(location.search).get(name);
  }

  // ---- websocket -------------------------------------------------------
  function wsUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  }

  function connect() {
    return new Promise((resolve, reject) => {
      setStatus("connecting", "connecting");
      const ws = new WebSocket(wsUrl());
      S.ws = ws;
      S.loggedIn = false;
      ws.onopen = () => {
        logFrame("out", "(websocket opened " + wsUrl() + ")", "");
        send({ type: "user_login", request_id: uuid(), auth_origin: "cognito", access_token: S.access }, "user_login")
          .then((copy) => {
            if (copy.status) {
              S.loggedIn = true;
              setStatus("online", "online");
              clearInterval(S.heartbeat);
              S.heartbeat = setInterval(() => send({ type: "heartbeat", request_id: uuid(), body: {} }), HEARTBEAT_MS);
              resolve();
            } else {
              reject(new Error("user_login refused: " + ((copy.context || {}).message || "")));
            }
          });
      };
      ws.onmessage = (ev) => {
        let f;
        try {
          f = JSON.parse(ev.data);
        } catch (_) {
          logFrame("in", "(not JSON)", ev.data);
          return;
        }
        const hb = f.type === "copy" && f.body && f.body.origin_type === "heartbeat";
        logFrame("in", frameSummary(f), prettyFrame(ev.data), hb ? "heartbeat" : "");
        S.inbox = S.inbox.then(() => handle(f)).catch((e) => console.error("frame handler", e));
      };
      ws.onclose = (ev) => {
        logFrame("in", `(websocket closed: code ${ev.code} ${ev.reason || ""})`, "");
        clearInterval(S.heartbeat);
        const wasLogged = S.loggedIn;
        S.loggedIn = false;
        setStatus("offline", "offline");
        for (const p of S.pending.values()) p.resolve({ status: false, context: { message: "connection closed" } });
        S.pending.clear();
        if (!wasLogged) reject(new Error("the websocket closed before the login was accepted"));
        else if (!S.stopping && S.ws === ws) setTimeout(reconnect, 1500);
      };
    });
  }

  async function reconnect() {
    if (S.stopping || !S.me) return;
    try {
      await connect();
      S.reconnectFailures = 0;
      if (S.channel) await sendAction("refresh");
    } catch (e) {
      toast("Reconnect failed: " + e.message, true);
      // The access token may have expired while the page was away.
      if (S.ws) S.ws.close();
      // Back off: 200 ms after the first failure, doubling up to 5 s.
      S.reconnectFailures = (S.reconnectFailures || 0) + 1;
      await refreshToken();
      setTimeout(reconnect, Math.min(5000, 200 * 2 ** (S.reconnectFailures - 1)));
    }
  }

  function disconnect() {
    clearInterval(S.heartbeat);
    if (S.ws) {
      const ws = S.ws;
      S.ws = null;
      ws.close(1000, "signed out");
    }
    setStatus("offline", "offline");
  }

  // Sends a frame; resolves with the body of the `copy` that acknowledges it.
  function send(frame) {
    return new Promise((resolve) => {
      if (!S.ws || S.ws.readyState !== WebSocket.OPEN) {
        resolve({ status: false, context: { message: "not connected" } });
        return;
      }
      S.pending.set(frame.request_id, { resolve, type: frame.type });
      const text = JSON.stringify(frame);
      const shown = frame.access_token ? JSON.stringify({ ...frame, access_token: "(omitted)" }, null, 2) : prettyFrame(text);
      logFrame("out", frameSummary(frame), shown, frame.type === "heartbeat" ? "heartbeat" : "");
      S.ws.send(text);
    });
  }

  function sendAction(subtype, extra) {
    return send({
      type: "action",
      request_id: uuid(),
      user_id: S.me.user_id,
      body: { subtype, channel_id: S.channel.channel_id, ...(extra || {}), context: {} },
    }).then((copy) => {
      if (!copy.status) toast(`${subtype} refused: ${(copy.context || {}).message || ""}`, true);
      return copy;
    });
  }

  async function handle(f) {
    const b = f.body && typeof f.body === "object" ? f.body : null;
    if (!b) return;
    switch (f.type) {
      case "copy": {
        const p = S.pending.get(b.request_id);
        if (p) {
          S.pending.delete(b.request_id);
          p.resolve(b);
        }
        return;
      }
      case "message_down":
        // Without a service the platform also delivers your own message to
        // you when you are among its recipients: it is shown already.
        if (b.message_id && document.querySelector(`#messages [data-message-id="${CSS.escape(b.message_id)}"]`)) return;
        if (S.channel && b.channel_id === S.channel.channel_id) {
          await ensureProfiles([b.sender]);
          addMessage(b, false);
        }
        return;
      case "update":
        if (!S.channel || b.channel_id !== S.channel.channel_id) return;
        return onUpdate(b);
      default:
        return;
    }
  }

  async function onUpdate(b) {
    switch (b.subtype) {
      case "characters": {
        const c = b.content || {};
        let ids = [];
        if (typeof c.characters === "string") ids = await resolveGroup(c.characters);
        else if (Array.isArray(c.characters)) ids = c.characters.map((x) => (typeof x === "string" ? x : x.character_id));
        await ensureProfiles(ids);
        S.characters = ids;
        for (const id of [...S.selected]) if (!ids.includes(id)) S.selected.delete(id);
        renderCharacters();
        rerenderSenders();
        return;
      }
      case "buttons":
        S.buttons = Array.isArray(b.content) ? b.content : [];
        renderButtons();
        return;
      case "menu":
        S.menu = Array.isArray(b.content) ? b.content : [];
        return;
      case "canvas":
        S.canvas = Array.isArray(b.content) ? b.content : [];
        renderCanvas();
        return;
      case "style":
        S.style = Array.isArray(b.content) ? b.content : [];
        applyStyle();
        return;
      case "channel_info": {
        const info = b.content || b;
        if (info.channel_name) {
          S.channel.channel_name = info.channel_name;
          $("#room-name").textContent = info.channel_name;
        }
        return;
      }
      default:
        return;
    }
  }

  // ---- groups and profiles ----------------------------------------------
  async function resolveGroup(groupId) {
    if (groupId === "service") return [];
    if (S.groups.has(groupId)) return S.groups.get(groupId);
    const q = new URLSearchParams({ group_id: groupId, channel_id: S.channel.channel_id, user_id: S.me.user_id });
    try {
      const d = await api("GET", "/user/group?" + q);
      const ids = (d && d.characters) || [];
      S.groups.set(groupId, ids);
      return ids;
    } catch (e) {
      toast("Cannot resolve group " + groupId + ": " + e.message, true);
      return [];
    }
  }

  async function ensureProfiles(ids) {
    const missing = [...new Set(ids)].filter((id) => id && !S.profiles.has(id));
    if (missing.length === 0) return;
    const put = (recs) => {
      for (const r of recs || []) {
        const ctx = r.character_context || {};
        S.profiles.set(r.character_id, { name: ctx.name || r.character_id, avatar: ctx.avatar || "", description: ctx.description || "" });
      }
    };
    try {
      put(await api("POST", "/character/fetch_profile", { character_list: missing }));
    } catch (_) {
      // One unknown id fails the whole call: ask one by one.
      for (const id of missing) {
        try {
          put(await api("POST", "/character/fetch_profile", { character_list: [id] }));
        } catch (_) {
          S.profiles.set(id, { name: id === "no_sender" ? "(no sender)" : id.slice(0, 8), avatar: "", description: "" });
        }
      }
    }
  }

  function profile(id) {
    return S.profiles.get(id) || { name: String(id || "?").slice(0, 8), avatar: "", description: "" };
  }

  // The avatar picture, or the name's initial when there is none or it
  // cannot be loaded (the platform's default avatar is not local).
  function avatarOf(name, url) {
    const a = el("span", { class: "avatar" });
    let h = 0;
    for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
    a.style.background = `hsl(${h}, 45%, 48%)`;
    a.textContent = (name.trim()[0] || "?").toUpperCase();
    if (url) {
      // Drawn over the initial once loaded; dropped if it cannot load.
      const img = el("img", { src: url, alt: "" });
      img.addEventListener("error", () => img.remove());
      a.append(img);
    }
    return a;
  }

  // ---- channels ----------------------------------------------------------
  async function loadChannels() {
    const all = (await api("GET", "/channel/popular")) || [];
    let mine = [];
    try {
      mine = ((await api("GET", "/channel/list")) || []).map((c) => (typeof c === "string" ? c : c.channel_id));
    } catch (_) {
      mine = [];
    }
    S.channels = all.map((c) => (typeof c === "string" ? { channel_id: c, channel_name: c } : c));
    const list = $("#channel-list");
    list.replaceChildren();
    for (const c of S.channels) {
      const member = mine.includes(c.channel_id);
      c.member = member;
      list.append(
        el("li", { class: "channel", "data-channel-id": c.channel_id },
          el("div", { class: "spacer" },
            el("div", { class: "name", text: c.channel_name || c.channel_id }),
            el("div", { class: "muted small", text: `${c.channel_id} · ${c.channel_type || ""} ${c.channel_description ? "· " + c.channel_description : ""}` })),
          member ? el("span", { class: "badge", text: "member" }) : null,
          el("button", { type: "button", class: "primary open", onclick: () => openChannel(c), text: member ? "Open" : "Join" }))
      );
    }
    $("#channels-empty").hidden = S.channels.length > 0;
  }

  async function openChannel(c) {
    // "dcs": no service is bound, so nobody sends a character list.
    S.channel = { channel_id: c.channel_id, channel_name: c.channel_name || c.channel_id, dcs: c.channel_type === "dcs" };
    Object.assign(S, { characters: [], buttons: [], menu: [], canvas: [], style: [], canvasExpanded: true });
    S.selected.clear();
    S.groups.clear();
    $("#room-name").textContent = S.channel.channel_name;
    $("#room-id").textContent = c.channel_id;
    $("#messages").replaceChildren();
    renderButtons();
    renderCanvas();
    applyStyle();
    renderCharacters();
    renderComposerTo();
    showChat("room");
    history.replaceState(null, "", "#channel=" + encodeURIComponent(c.channel_id));
    if (c.member) await loadHistory();
    if (!c.member) {
      const copy = await sendAction("join_channel");
      if (!copy.status) return;
      c.member = true;
    }
    // A browser client asks for the service's interface after joining.
    await sendAction("refresh");
    if (S.channel && S.channel.dcs) await loadMembers();
  }

  // Without a service: the members (GET /channel/character_list) stand for
  // the character list, and a message goes to all of them by default.
  async function loadMembers() {
    const q = new URLSearchParams({ channel_id: S.channel.channel_id, service_id: S.me.user_id });
    try {
      const d = await api("GET", "/channel/character_list?" + q);
      const ids = (d && d.character_list) || [];
      await ensureProfiles(ids);
      S.characters = ids;
      renderCharacters();
    } catch (e) {
      toast("No member list: " + e.message, true);
    }
  }

  async function loadHistory() {
    const q = new URLSearchParams({ channel_id: S.channel.channel_id, limit: "100", before: "null" });
    let msgs = [];
    try {
      msgs = (await api("GET", "/channel/history_message?" + q)) || [];
    } catch (e) {
      toast("No history: " + e.message, true);
      return;
    }
    const shown = [];
    for (const m of msgs) {
      const mine = m.sender === S.me.user_id;
      let visible = mine;
      if (!visible && typeof m.recipients === "string") visible = (await resolveGroup(m.recipients)).includes(S.me.user_id);
      else if (!visible && Array.isArray(m.recipients)) visible = m.recipients.includes(S.me.user_id);
      if (visible) shown.push([m, mine]);
    }
    await ensureProfiles(shown.map(([m]) => m.sender));
    for (const [m, mine] of shown) addMessage(m, mine);
  }

  async function leaveChannel() {
    const copy = await sendAction("leave_channel");
    if (!copy.status) return;
    S.channel = null;
    history.replaceState(null, "", location.pathname);
    await loadChannels();
    showChat("channels");
  }

  async function backToChannels() {
    S.channel = null;
    history.replaceState(null, "", location.pathname);
    await loadChannels();
    showChat("channels");
  }

  // ---- messages ------------------------------------------------------------
  function messageContent(m) {
    const c = m.content || {};
    const bubble = el("div", { class: "bubble" });
    switch (m.subtype) {
      case "text":
        bubble.textContent = c.text || "";
        break;
      case "image":
        if (c.path) bubble.append(el("img", { src: c.path, alt: c.filename || "image" }));
        if (c.text) bubble.append(el("div", { text: c.text }));
        break;
      case "audio":
        bubble.append(el("audio", { controls: true, src: c.path || "" }));
        break;
      case "file": {
        bubble.classList.add("file-message");
        const name = c.filename || (c.path || "").split("/").pop() || "file";
        const size = typeof c.size === "number" ? ` (${formatSize(c.size)})` : "";
        const ext = name.includes(".") ? name.split(".").pop().slice(0, 4).toUpperCase() : "FILE";
        bubble.append(el("a", { href: safeUrl(c.path), target: "_blank", rel: "noopener", download: name },
          el("span", { class: "file-icon", text: ext }), el("span", { text: `${name}${size}` })));
        break;
      }
      case "card":
        bubble.classList.add("card-message");
        if (c.title) bubble.append(el("div", { class: "card-title", text: c.title }));
        if (c.text) bubble.append(el("div", { text: c.text }));
        if (c.path) bubble.append(el("img", { src: c.path, alt: "" }));
        if (c.link) bubble.append(el("a", { class: "card-link", href: safeUrl(c.link), target: "_blank", rel: "noopener", text: c.button || c.link }));
        break;
      default:
        bubble.textContent = `[${m.subtype}] ` + JSON.stringify(c);
    }
    return bubble;
  }

  // Only http(s) (or same-origin relative) addresses become links: a
  // service must not be able to run script in the page with `javascript:`.
  function safeUrl(u) {
    try {
      const url = new URL(String(u || ""), location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : "#";
    } catch (_) {
      return "#";
    }
  }

  function formatSize(n) {
    if (n < 1024) return n + " B";
    if (n < 1 << 20) return (n / 1024).toFixed(1) + " KiB";
    return (n / (1 << 20)).toFixed(1) + " MiB";
  }

  function addMessage(m, mine) {
    const p = profile(m.sender);
    const li = el("li", { class: "message" + (mine ? " mine" : ""), "data-sender": m.sender, "data-subtype": m.subtype });
    if (m.message_id) li.dataset.messageId = m.message_id;
    li._message = m;
    const when = m.timestamp ? new Date(m.timestamp).toLocaleTimeString() : "";
    li.append(
      avatarOf(p.name, p.avatar),
      el("div", { class: "body" },
        el("div", { class: "meta" }, el("span", { class: "sender", text: p.name }), el("span", { class: "when", text: when }),
          el("span", { class: "status-note" })),
        messageContent(m)),
      el("button", { type: "button", class: "menu-open", title: "Menu", text: "⋯", onclick: (ev) => openMenu(li, ev) })
    );
    li.addEventListener("contextmenu", (ev) => {
      ev.preventDefault();
      openMenu(li, ev);
    });
    const list = $("#messages");
    list.append(li);
    list.scrollTop = list.scrollHeight;
    return li;
  }

  function rerenderSenders() {
    for (const li of document.querySelectorAll("#messages .message")) {
      const p = profile(li.dataset.sender);
      li.querySelector(".sender").textContent = p.name;
      li.querySelector(".avatar").replaceWith(avatarOf(p.name, p.avatar));
    }
  }

  async function recipientsGroup() {
    let ids = S.characters.filter((id) => S.selected.has(id));
    if (ids.length === 0 && S.channel.dcs) ids = S.characters.slice();
    if (ids.length === 0) return "service";
    const key = S.channel.channel_id + "\u0000" + JSON.stringify(ids);
    if (S.upGroups.has(key)) return S.upGroups.get(key);
    const d = await api("POST", "/user/group/create", { channel_id: S.channel.channel_id, group_name: "A_message_up_group", characters: ids });
    const gid = typeof d === "string" ? d : d.group_id;
    S.upGroups.set(key, gid);
    return gid;
  }

  function sendText(text) {
    return sendContent("text", { text });
  }

  // Subtype of a file name, as the SDK infers it (PROTOCOL.md §7.2).
  const IMAGE_EXT = "jpe jpg jpeg gif png bmp ico svg svgz tif tiff ai drw pct psp xcf raw webp heic".split(" ");
  const AUDIO_EXT = "wav mp3 mp4 mp5".split(" ");
  function subtypeOf(name) {
    const ext = name.includes(".") ? name.split(".").pop().toLowerCase() : "";
    if (IMAGE_EXT.includes(ext)) return "image";
    if (AUDIO_EXT.includes(ext)) return "audio";
    return "file";
  }

  // Uploads a file (GET /file/upload, then the multipart POST) and sends it.
  async function sendFile(file) {
    const ext = file.name.includes(".") ? file.name.split(".").pop() : file.name;
    let url;
    try {
      const d = await api("GET", "/file/upload?" + new URLSearchParams({ extension: ext }));
      const form = new FormData();
      for (const [k, v] of Object.entries(d.fields || {})) form.append(k, v);
      form.append("file", new Blob([file], { type: "application/octet-stream" }), "file");
      const resp = await fetch(d.url, { method: "POST", body: form });
      logFrame("http", `POST ${d.url} (upload ${file.name}, ${file.size} bytes) → ${resp.status}`,
        { fields: d.fields, file: { name: file.name, size: file.size } });
      if (!resp.ok) throw new Error(`the upload answered ${resp.status}`);
      url = d.url + d.fields.key;
    } catch (e) {
      toast("Upload failed: " + e.message, true);
      return;
    }
    const subtype = subtypeOf(file.name);
    const content = subtype === "file" ? { path: url, filename: file.name, size: file.size } : { path: url, filename: file.name };
    await sendContent(subtype, content);
  }

  async function sendContent(subtype, content) {
    let recipients;
    try {
      recipients = await recipientsGroup();
    } catch (e) {
      toast("Cannot make the recipients group: " + e.message, true);
      return;
    }
    const body = {
      subtype,
      channel_id: S.channel.channel_id,
      content,
      recipients,
      timestamp: Date.now(),
      context: {},
    };
    const li = addMessage({ ...body, sender: S.me.user_id, message_id: null }, true);
    const note = li.querySelector(".status-note");
    note.textContent = "sending…";
    const copy = await send({ type: "message_up", request_id: uuid(), user_id: S.me.user_id, service_id: S.me.user_id, body });
    if (copy.status) {
      note.textContent = recipients === "service" ? "→ service" : "→ group";
      const mid = (copy.context || {}).message_id;
      if (mid) {
        const twin = document.querySelector(`#messages [data-message-id="${CSS.escape(mid)}"]`);
        if (twin) twin.remove();
        li.dataset.messageId = mid;
        li._message.message_id = mid;
      }
    } else {
      li.classList.add("failed");
      note.textContent = "refused: " + ((copy.context || {}).message || "");
    }
  }

  // ---- characters -------------------------------------------------------------
  function renderCharacters() {
    const ul = $("#characters");
    ul.replaceChildren();
    for (const id of S.characters) {
      const p = profile(id);
      const box = el("input", { type: "checkbox", "data-character-id": id });
      box.checked = S.selected.has(id);
      box.addEventListener("change", () => {
        if (box.checked) S.selected.add(id);
        else S.selected.delete(id);
        renderComposerTo();
      });
      ul.append(
        el("li", { class: "character", "data-character-id": id },
          el("label", {}, box, avatarOf(p.name, p.avatar),
            el("span", { style: "min-width:0" },
              el("div", { class: "name", text: p.name }),
              id === (S.me && S.me.user_id) ? el("div", { class: "me", text: "you" }) : null,
              p.description ? el("div", { class: "desc", text: p.description, title: p.description }) : null)))
      );
    }
    renderComposerTo();
  }

  function renderComposerTo() {
    const names = S.characters.filter((id) => S.selected.has(id)).map((id) => profile(id).name);
    const none = S.channel && S.channel.dcs ? "everyone (no service)" : "service";
    $("#characters-hint").textContent = `Tick characters to send to them; none ticked sends to ${none === "service" ? "the service" : "every member (no service is bound)"}.`;
    $("#composer-to").textContent = "to: " + (names.length ? names.join(", ") : none);
  }

  // ---- buttons, dialogs, menu ----------------------------------------------------
  function renderButtons() {
    const bar = $("#buttons");
    bar.replaceChildren();
    for (const b of S.buttons) {
      const btn = el("button", { type: "button", class: "service-button", "data-button-id": b.button_id, onclick: () => clickButton(b) },
        b.button_text || b.button_id, b.dialog ? el("span", { class: "dots", text: " …" }) : null);
      bar.append(btn);
    }
    applyStyle();
  }

  function clickButton(b) {
    if (b.dialog) {
      openDialog(b.dialog, (bottom, args) => sendAction("button_click", { button_id: b.button_id, arguments: args, bottom_button_id: bottom }));
    } else {
      sendAction("button_click", { button_id: b.button_id, arguments: [], bottom_button_id: "confirm" });
    }
  }

  function openDialog(dialog, onSubmit) {
    const form = $("#dialog");
    $("#dialog-title").textContent = dialog.title || "Dialog";
    const comps = $("#dialog-components");
    comps.replaceChildren();
    const inputs = [];
    for (const c of dialog.components || []) {
      let input;
      const common = { "data-label": c.label, placeholder: c.placeholder || null, required: !!c.required };
      switch (c.type) {
        case "textbox":
          input = el("textarea", { ...common, rows: 3 });
          break;
        case "dropdown":
          input = el("select", common);
          if (!c.required) input.append(el("option", { value: "", text: c.placeholder || "—" }));
          for (const choice of c.choices || []) input.append(el("option", { value: choice, text: choice }));
          break;
        case "number":
          input = el("input", { ...common, type: "number" });
          break;
        case "password":
          input = el("input", { ...common, type: "password" });
          break;
        case "text":
          input = el("input", { ...common, type: "text" });
          break;
        default:
          input = el("input", { ...common, type: "text", title: `unknown component type ${c.type}` });
      }
      inputs.push([c.label, input]);
      comps.append(el("label", {}, el("span", { class: c.required ? "required" : "", text: c.label }), input));
    }
    const bottoms = dialog.bottom_buttons && dialog.bottom_buttons.length
      ? dialog.bottom_buttons
      : [{ id: "confirm", text: "Confirm", submit: true }];
    const bar = $("#dialog-buttons");
    bar.replaceChildren();
    for (const bb of bottoms) {
      bar.append(el("button", {
        type: "button",
        class: "bottom-button" + (bb.submit ? " primary" : ""),
        "data-id": bb.id,
        text: bb.text || bb.id,
        onclick: () => {
          if (!bb.submit) return closeDialog();
          for (const [, input] of inputs) {
            if (!input.checkValidity()) {
              input.reportValidity();
              return;
            }
          }
          const args = inputs.map(([label, input]) => ({ label, value: String(input.value) }));
          closeDialog();
          onSubmit(bb.id, args);
        },
      }));
    }
    $("#dialog-backdrop").hidden = false;
    const first = inputs[0];
    if (first) first[1].focus();
    form.onsubmit = (ev) => ev.preventDefault();
  }

  function closeDialog() {
    $("#dialog-backdrop").hidden = true;
  }

  function menuItemsFor(subtype) {
    return S.menu.filter((mi) => {
      const st = mi.message_subtypes;
      if (Array.isArray(st)) return st.includes(subtype) || st.includes("all");
      return st === subtype || st === "all";
    });
  }

  function openMenu(li, ev) {
    const m = li._message;
    const ul = $("#context-menu");
    ul.replaceChildren();
    const items = menuItemsFor(m.subtype);
    if (items.length === 0) ul.append(el("li", { class: "disabled", text: `no menu items for ${m.subtype} messages` }));
    for (const mi of items) {
      ul.append(el("li", { class: "menu-item", "data-menu-item-id": mi.menu_item_id, text: mi.menu_item_text, onclick: () => {
        closeMenu();
        clickMenuItem(mi, li);
      } }));
    }
    ul.hidden = false;
    const x = Math.min(ev.clientX || 100, window.innerWidth - 200);
    const y = Math.min(ev.clientY || 100, window.innerHeight - 40 * (items.length + 1));
    ul.style.left = x + "px";
    ul.style.top = Math.max(0, y) + "px";
  }

  function closeMenu() {
    $("#context-menu").hidden = true;
  }

  function clickMenuItem(mi, li) {
    const m = li._message;
    const extra = (bottom, args) => ({
      menu_item_id: mi.menu_item_id,
      message_id: li.dataset.messageId || m.message_id || null,
      message_subtype: m.subtype,
      message_content: m.content || {},
      arguments: args,
      bottom_button_id: bottom,
    });
    if (mi.dialog) openDialog(mi.dialog, (bottom, args) => sendAction("menu_item_click", extra(bottom, args)));
    else sendAction("menu_item_click", extra("confirm", []));
  }

  // ---- canvas and style -----------------------------------------------------------
  function renderCanvas() {
    const body = $("#canvas-body");
    body.replaceChildren();
    for (const item of S.canvas) {
      if (!item || (!item.text && !item.path)) continue;
      body.append(el("div", { class: "canvas-item" },
        item.path ? el("img", { src: item.path, alt: item.text || "" }) : null,
        item.text ? el("div", { text: item.text }) : null));
    }
    applyStyle();
  }

  function applyStyle() {
    const canvas = $("#canvas");
    const hasItems = $("#canvas-body").children.length > 0;
    let display = hasItems ? "visible" : "invisible";
    let expand = S.canvasExpanded;
    for (const s of S.style) {
      if (s.widget === "canvas") {
        display = s.display || display;
        if (typeof s.expand === "boolean") expand = s.expand;
      }
    }
    canvas.hidden = display === "invisible" || (!hasItems && display !== "highlight");
    canvas.classList.toggle("highlight", display === "highlight");
    canvas.classList.toggle("collapsed", !expand);
    $("#canvas-toggle").textContent = (expand ? "▾ " : "▸ ") + "Canvas";
    for (const btn of document.querySelectorAll("#buttons button")) {
      btn.hidden = false;
      btn.classList.remove("highlight");
    }
    for (const s of S.style) {
      if (s.widget !== "button" || !s.button_id) continue;
      const btn = document.querySelector(`#buttons button[data-button-id="${CSS.escape(s.button_id)}"]`);
      if (!btn) continue;
      btn.hidden = s.display === "invisible";
      btn.classList.toggle("highlight", s.display === "highlight");
    }
  }

  // ---- wiring ------------------------------------------------------------------------
  function wire() {
    $("#signin-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      signIn($("#signin-email").value.trim(), $("#signin-password").value);
    });
    $("#sign-out").addEventListener("click", signOut);
    $("#channels-reload").addEventListener("click", () => loadChannels().catch((e) => toast(e.message, true)));
    $("#room-back").addEventListener("click", backToChannels);
    $("#room-refresh").addEventListener("click", () => sendAction("refresh"));
    $("#room-leave").addEventListener("click", leaveChannel);
    $("#composer").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const input = $("#composer-text");
      const text = input.value;
      if (!text.trim() || !S.channel) return;
      input.value = "";
      sendText(text);
    });
    $("#composer-file").addEventListener("change", (ev) => {
      const files = [...ev.target.files];
      ev.target.value = "";
      if (!S.channel) return;
      (async () => {
        for (const f of files) await sendFile(f);
      })();
    });
    $("#canvas-toggle").addEventListener("click", () => {
      S.canvasExpanded = $("#canvas").classList.contains("collapsed");
      S.style = S.style.filter((s) => s.widget !== "canvas" || typeof s.expand !== "boolean" || s.expand === S.canvasExpanded);
      applyStyle();
    });
    $("#tab-chat").addEventListener("click", () => show(chatView));
    $("#tab-frames").addEventListener("click", () => show("frames"));
    $("#frames-http").addEventListener("change", (ev) => $("#frames-view").classList.toggle("no-http", !ev.target.checked));
    $("#frames-heartbeat").addEventListener("change", (ev) => $("#frames-view").classList.toggle("no-heartbeat", !ev.target.checked));
    $("#frames-view").classList.add("no-heartbeat");
    $("#frames-clear").addEventListener("click", () => {
      $("#frames").replaceChildren();
      S.frames = [];
      $("#frame-count").textContent = "0";
    });
    $("#dialog-backdrop").addEventListener("click", (ev) => {
      if (ev.target.id === "dialog-backdrop") closeDialog();
    });
    document.addEventListener("click", (ev) => {
      if (!ev.target.closest("#context-menu") && !ev.target.classList.contains("menu-open")) closeMenu();
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        closeMenu();
        closeDialog();
      }
    });
  }

  wire();
  renderDemoAccounts();
  const as = hashParam("as");
  const demo = as && demoAccounts().find((a) => a.email === as);
  if (demo) signIn(demo.email, demo.password);
})();
