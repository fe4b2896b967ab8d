// Live chat panel: messages over a WebSocket, history and actions over the REST API.
//
// Nothing is lost: every change in a room carries a stream number (`revision`). The panel
// remembers the last one it applied; on reconnect, or when a number is still missing
// REORDER_MS after a later one arrived (the channel layer dropped it), it asks the server for
// everything after it, which the server reads from the database. A later number arriving
// first is common and no gap: server processes broadcast after their own commits, so one
// may overtake another. Applying a message is idempotent (newest revision wins).
(function () {
  "use strict";

  var FINAL_CLOSE_CODES = [4403, 4404, 4410]; // and 4401, final for every socket (live.js)
  var TYPING_MS = 3000;
  var REORDER_MS = 1000;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") options.headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) return null;
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.message || response.statusText);
        return data;
      });
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function Chat(root) {
    this.root = root;
    this.roomId = root.dataset.room;
    this.mode = root.dataset.mode;
    this.me = Number(root.dataset.me || 0);
    this.canPost = root.dataset.canPost === "1";
    this.canModerate = root.dataset.canModerate === "1";
    this.canAnswer = root.dataset.canAnswer === "1";
    var strings = root.querySelector("template[data-strings]");
    this.t = strings ? JSON.parse(strings.innerHTML) : {};
    this.messages = new Map(); // id -> payload
    this.questions = new Map();
    this.lastRevision = 0;
    this.early = new Set(); // stream numbers that arrived before one still missing
    this.gapTimer = null;
    this.resuming = false;
    this.pending = new Map(); // client_id -> body, resent after a reconnect
    this.unreadMarkerAt = null;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.nextPage = null;
    this.q = function (selector) { return root.querySelector(selector); };
    this.start();
  }

  Chat.prototype.start = function () {
    var self = this;
    this.bindForm();
    this.bindQuestions();
    this.bindModeration();
    var older = this.q("[data-older]");
    if (older) older.addEventListener("click", function () { self.loadOlder(); });
    var scroll = this.q("[data-scroll]");
    if (scroll) {
      scroll.addEventListener("scroll", function () {
        if (scroll.scrollTop === 0 && self.nextPage) self.loadOlder();
        self.markReadIfVisible();
      });
    }
    document.addEventListener("visibilitychange", function () { self.markReadIfVisible(); });
    var first = this.mode === "screen" ? Promise.resolve() : this.loadLatest();
    // A failed first load still connects: the socket's backfill brings the messages.
    first.catch(function () {}).then(function () { return self.loadQuestions(); }).then(function () { self.connect(); });
  };

  // --- History over HTTP ------------------------------------------------------------

  Chat.prototype.loadLatest = function () {
    var self = this;
    return api("GET", this.root.dataset.messagesApi).then(function (page) {
      page.results.slice().reverse().forEach(function (m) { self.apply(m); });
      page.results.forEach(function (m) { self.lastRevision = Math.max(self.lastRevision, m.revision); });
      self.nextPage = page.next;
      self.q("[data-older]").hidden = !page.next;
      self.scrollToEnd();
    });
  };

  Chat.prototype.loadOlder = function () {
    var self = this;
    var url = this.nextPage;
    if (!url || this.loadingOlder) return;
    this.loadingOlder = true;
    var scroll = this.q("[data-scroll]");
    var fromBottom = scroll.scrollHeight - scroll.scrollTop;
    api("GET", url).then(function (page) {
      page.results.forEach(function (m) { self.apply(m, { quiet: true }); });
      self.nextPage = page.next;
      self.q("[data-older]").hidden = !page.next;
      scroll.scrollTop = scroll.scrollHeight - fromBottom;
    }).finally(function () { self.loadingOlder = false; });
  };

  Chat.prototype.loadQuestions = function () {
    var self = this;
    if (!this.q("[data-questions]")) return Promise.resolve();
    return api("GET", this.root.dataset.questionsApi).then(function (list) {
      list.forEach(function (question) { self.questions.set(question.id, question); });
      self.renderQuestions();
    }).catch(function () { /* questions are optional; the socket brings updates */ });
  };

  // --- The socket (reconnects, pings and back-off: live.js) ---------------------------

  Chat.prototype.connect = function () {
    var self = this;
    this.live = window.LiveSocket.open("/ws/chat/" + this.roomId + "/", {
      finalCodes: FINAL_CLOSE_CODES,
      onOpen: function () {
        self.status(self.t.connected);
        self.resume();
        self.pending.forEach(function (body, clientId) { self.sendFrame({ type: "send", client_id: clientId, body: body }); });
        if (self.mode === "screen" || self.questions.size) self.loadQuestions();
      },
      onFrame: function (frame) { self.receive(frame); },
      onClose: function (code, final) {
        if (!final) {
          self.status(self.t.reconnecting);
          return;
        }
        self.status(self.t["closed" + code] || "");
        self.disableForm();
      },
    });
  };

  Chat.prototype.sendFrame = function (frame) {
    return Boolean(this.live) && this.live.send(frame);
  };

  // Move the last applied stream number over every number that has arrived; if one is still
  // missing REORDER_MS after a later one came, it was dropped: fill it from the server.
  Chat.prototype.advance = function (revision) {
    var self = this;
    if (revision > this.lastRevision) this.early.add(revision);
    while (this.early.has(this.lastRevision + 1)) {
      this.early.delete(this.lastRevision + 1);
      this.lastRevision += 1;
    }
    this.early.forEach(function (r) { if (r <= self.lastRevision) self.early.delete(r); });
    if (!this.early.size) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    } else if (!this.gapTimer && !this.resuming) {
      this.gapTimer = setTimeout(function () {
        self.gapTimer = null;
        if (self.early.size && !self.resuming) self.resume();
      }, REORDER_MS);
    }
  };

  Chat.prototype.resume = function () {
    if (this.mode === "screen") return;
    this.resuming = true;
    this.sendFrame({ type: "resume", after: this.lastRevision });
  };

  Chat.prototype.receive = function (frame) {
    switch (frame.type) {
      case "hello":
        this.canPost = frame.can_post;
        this.setRoom(frame.room);
        this.showOnline(frame.online, frame.online_count);
        break;
      case "message":
        var m = frame.message;
        this.pending.delete(m.author.id === this.me ? m.client_id : "");
        this.apply(m); // shown at once, in its place by sequence
        this.advance(m.revision);
        break;
      case "backfill":
        var self = this;
        frame.messages.forEach(function (message) {
          self.pending.delete(message.author.id === self.me ? message.client_id : "");
          self.apply(message);
        });
        this.lastRevision = Math.max(this.lastRevision, frame.up_to);
        this.resuming = false;
        if (frame.messages.length >= 500) this.resume();
        else this.advance(0);
        break;
      case "error":
        if (frame.for === "resume") {
          // Refused (too many resumes): ask again when the server says, never stay stuck.
          var chat = this;
          this.resuming = false;
          setTimeout(function () { chat.resume(); }, (frame.retry_after || 5) * 1000);
          break;
        }
        if (frame.for === "typing") break; // a hint, not worth a message
        this.showError(frame.message);
        if (frame.client_id && frame.status !== 429) this.dropPending(frame.client_id);
        if (frame.client_id && frame.status === 429) this.dropPending(frame.client_id, true);
        break;
      case "room":
        this.canPost = frame.can_post;
        this.setRoom(frame.room);
        break;
      case "presence":
        this.showOnline(frame.online, frame.online_count);
        break;
      case "typing":
        this.showTyping(frame.user.name);
        break;
      case "question":
        // A live question frame does not carry this viewer's own vote: keep it.
        var known = this.questions.get(frame.question.id);
        frame.question.voted = known ? known.voted : false;
        this.keepQuestion(frame.question);
        this.renderQuestions();
        break;
    }
  };

  // --- Messages ----------------------------------------------------------------------

  Chat.prototype.apply = function (m, options) {
    var list = this.q("[data-messages]");
    if (!list) return;
    var known = this.messages.get(m.id);
    if (known && known.revision >= m.revision) return;
    this.messages.set(m.id, m);
    var node = this.renderMessage(m);
    var existing = list.querySelector('[data-id="' + m.id + '"]');
    if (existing) {
      list.replaceChild(node, existing);
    } else {
      var pendingNode = list.querySelector('[data-client-id="' + CSS.escape(m.client_id) + '"][data-pending]');
      if (pendingNode) pendingNode.remove();
      var after = null;
      var items = list.querySelectorAll("[data-sequence]");
      for (var i = 0; i < items.length; i++) {
        if (Number(items[i].dataset.sequence) > m.sequence) { after = items[i]; break; }
      }
      var stick = this.nearBottom();
      list.insertBefore(node, after);
      if (!(options && options.quiet) && m.author.id !== this.me) this.noteNew(m, node);
      if (stick || m.author.id === this.me) this.scrollToEnd();
    }
    this.renderPinned();
  };

  Chat.prototype.renderMessage = function (m) {
    var self = this;
    var item = el("li", "chat-message");
    item.dataset.id = m.id;
    item.dataset.sequence = m.sequence;
    item.dataset.clientId = m.client_id;
    if (m.author.id === this.me) item.classList.add("is-mine");
    if (m.pinned) item.classList.add("is-pinned");
    var head = el("p", "chat-meta");
    head.appendChild(el("strong", "", m.author.name));
    var time = el("time", "muted", new Date(m.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    time.setAttribute("datetime", m.created_at);
    head.appendChild(document.createTextNode(" "));
    head.appendChild(time);
    if (m.edited_at && !m.deleted) head.appendChild(el("span", "muted", " · " + this.t.edited));
    item.appendChild(head);
    var body = el("div", "chat-text");
    if (m.deleted) {
      body.appendChild(el("em", "muted", this.t.deleted));
    } else {
      body.innerHTML = m.html; // sanitised by the server (nh3)
    }
    item.appendChild(body);
    if (!m.deleted && this.me) {
      var actions = el("p", "chat-actions");
      var mine = m.author.id === this.me;
      if (mine && this.canPost) actions.appendChild(this.action(this.t.edit, function () { self.edit(m); }));
      if (mine || this.canModerate) actions.appendChild(this.action(this.t.delete, function () { self.sendFrame({ type: "delete", message_id: m.id }); }));
      if (this.canModerate) {
        actions.appendChild(this.action(m.pinned ? this.t.unpin : this.t.pin, function () {
          api("POST", "/api/chat/messages/" + m.id + "/pin/", { pinned: !m.pinned }).catch(function (e) { self.showError(e.message); });
        }));
        if (!mine) actions.appendChild(this.action(this.t.mute, function () { self.mute(m.author.id); }));
      }
      if (!mine) actions.appendChild(this.action(this.t.report, function () { self.report(m.id); }));
      item.appendChild(actions);
    }
    return item;
  };

  Chat.prototype.action = function (label, handler) {
    var button = el("button", "button button-small button-ghost", label);
    button.type = "button";
    button.addEventListener("click", handler);
    return button;
  };

  Chat.prototype.edit = function (m) {
    var body = window.prompt(this.t.editPrompt, m.body);
    if (body && body !== m.body) this.sendFrame({ type: "edit", message_id: m.id, body: body });
  };

  Chat.prototype.mute = function (userId) {
    var self = this;
    var minutes = window.prompt(this.t.mutePrompt, "10");
    if (minutes === null) return;
    api("POST", "/api/chat/rooms/" + this.roomId + "/mutes/", { member: userId, minutes: Number(minutes) })
      .catch(function (e) { self.showError(e.message); });
  };

  // Every change to a question (a vote, answered, hidden) moves its `revision` on, and two
  // changes can arrive in either order (from two server processes): an older one is not
  // applied, except for what only it can know (this viewer's own vote, from its answer).
  Chat.prototype.keepQuestion = function (question) {
    var known = this.questions.get(question.id);
    if (known && known.revision > question.revision) {
      if (question.voted) known.voted = true;
      return;
    }
    this.questions.set(question.id, Object.assign({}, known || {}, question));
  };

  Chat.prototype.report = function (messageId) {
    var self = this;
    var reason = window.prompt(this.t.reportPrompt, "");
    if (reason === null) return;
    api("POST", "/api/chat/messages/" + messageId + "/report/", { reason: reason })
      .then(function () { self.announce(self.t.reported); })
      .catch(function (e) { self.showError(e.message); });
  };

  Chat.prototype.renderPinned = function () {
    var box = this.q("[data-pinned]");
    if (!box) return;
    var list = box.querySelector("ol");
    list.textContent = "";
    var pinned = Array.from(this.messages.values()).filter(function (m) { return m.pinned && !m.deleted; });
    pinned.sort(function (a, b) { return a.sequence - b.sequence; });
    pinned.forEach(function (m) {
      var item = el("li");
      item.appendChild(el("strong", "", m.author.name + ": "));
      item.appendChild(document.createTextNode(m.body));
      list.appendChild(item);
    });
    box.hidden = pinned.length === 0;
  };

  // --- Unread marker, live region, presence, typing -----------------------------------

  Chat.prototype.nearBottom = function () {
    var scroll = this.q("[data-scroll]");
    return !scroll || scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 60;
  };

  Chat.prototype.scrollToEnd = function () {
    var scroll = this.q("[data-scroll]");
    if (scroll) scroll.scrollTop = scroll.scrollHeight;
    this.markReadIfVisible();
  };

  Chat.prototype.noteNew = function (m, node) {
    this.announce(m.author.name + ": " + (m.body || ""));
    if (document.visibilityState === "visible" && this.nearBottom()) return;
    if (!this.q("[data-unread-marker]")) {
      var marker = el("li", "chat-marker", this.t.newMessages);
      marker.dataset.unreadMarker = "";
      marker.dataset.sequence = m.sequence - 0.5;
      node.parentNode.insertBefore(marker, node);
    }
  };

  Chat.prototype.markReadIfVisible = function () {
    if (!this.me || document.visibilityState !== "visible" || !this.nearBottom()) return;
    var top = 0;
    this.messages.forEach(function (m) { top = Math.max(top, m.sequence); });
    if (top && top !== this.readUpTo) {
      this.readUpTo = top;
      if (!this.sendFrame({ type: "read", sequence: top }) && this.root.dataset.readApi) {
        api("POST", this.root.dataset.readApi, { sequence: top }).catch(function () {});
      }
      var badge = this.q("[data-unread]");
      if (badge) badge.hidden = true;
    }
  };

  Chat.prototype.announce = function (text) {
    var live = this.q("[data-live]");
    if (live) live.textContent = text;
  };

  Chat.prototype.status = function (text) {
    var status = this.q("[data-status]");
    if (status) status.textContent = text || "";
  };

  Chat.prototype.showOnline = function (people, count) {
    var online = this.q("[data-online]");
    if (online && this.t.online) {
      var names = people.map(function (p) { return p.name; }).join(", ");
      if (count > people.length) names += " (+" + (count - people.length) + ")";
      online.textContent = this.t.online.replace("{names}", names);
    }
  };

  Chat.prototype.showTyping = function (name) {
    var self = this;
    var typing = this.q("[data-typing]");
    if (!typing) return;
    typing.textContent = this.t.typing.replace("{name}", name);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () { typing.textContent = ""; }, 5000);
  };

  Chat.prototype.setRoom = function (room) {
    var form = this.q("[data-form]");
    var locked = room.locked && !this.canModerate;
    if (form) {
      form.querySelector("textarea").disabled = locked || !this.canPost;
      form.querySelector("button").disabled = locked || !this.canPost;
      if (locked) this.showError(this.t.locked);
    }
    var qa = this.q("[data-qa-section]");
    if (qa && this.mode !== "screen") qa.hidden = !room.qa;
    if (room.qa && !this.questions.size) this.loadQuestions();
  };

  // --- Sending -----------------------------------------------------------------------

  Chat.prototype.bindForm = function () {
    var self = this;
    var form = this.q("[data-form]");
    if (!form) return;
    var input = form.querySelector("textarea");
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - self.lastTypingSent > TYPING_MS) {
        self.lastTypingSent = now;
        self.sendFrame({ type: "typing" });
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      var clientId = newClientId();
      self.pending.set(clientId, body);
      self.showPending(clientId, body);
      self.sendFrame({ type: "send", client_id: clientId, body: body }); // resent on reconnect otherwise
      input.value = "";
      self.showError("");
    });
  };

  Chat.prototype.showPending = function (clientId, body) {
    var list = this.q("[data-messages]");
    var item = el("li", "chat-message is-mine is-pending");
    item.dataset.clientId = clientId;
    item.dataset.pending = "";
    item.dataset.sequence = Number.MAX_SAFE_INTEGER;
    item.appendChild(el("p", "chat-meta muted", this.t.sending));
    item.appendChild(el("div", "chat-text", body));
    list.appendChild(item);
    this.scrollToEnd();
  };

  Chat.prototype.dropPending = function (clientId, restore) {
    var body = this.pending.get(clientId);
    this.pending.delete(clientId);
    var node = this.q('[data-client-id="' + CSS.escape(clientId) + '"][data-pending]');
    if (node) node.remove();
    var input = this.q("[data-input]");
    if (restore && input && body && !input.value) input.value = body;
  };

  Chat.prototype.showError = function (text) {
    var error = this.q("[data-error]");
    if (error) error.textContent = text || "";
  };

  Chat.prototype.disableForm = function () {
    var form = this.q("[data-form]");
    if (form) Array.from(form.elements).forEach(function (field) { field.disabled = true; });
  };

  // --- Moderation ----------------------------------------------------------------------

  Chat.prototype.bindModeration = function () {
    var self = this;
    this.root.querySelectorAll("[data-room-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        api("GET", self.root.dataset.api).then(function (room) {
          var field = button.dataset.roomToggle;
          var change = {};
          change[field] = !room[field];
          return api("PATCH", self.root.dataset.api, change);
        }).catch(function (e) { self.showError(e.message); });
      });
    });
  };

  // --- Questions -----------------------------------------------------------------------

  Chat.prototype.bindQuestions = function () {
    var self = this;
    var form = this.q("[data-qa-form]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = form.elements.body.value.trim();
      if (!body) return;
      api("POST", self.root.dataset.questionsApi, { body: body, anonymous: form.elements.anonymous.checked })
        .then(function (question) {
          question.voted = false;
          self.keepQuestion(question);
          self.renderQuestions();
          form.reset();
        })
        .catch(function (e) { self.showError(e.message); });
    });
  };

  Chat.prototype.renderQuestions = function () {
    var self = this;
    var list = this.q("[data-questions]");
    if (!list) return;
    var screen = this.mode === "screen";
    var questions = Array.from(this.questions.values()).filter(function (q) {
      return !(q.hidden && (screen || !self.canModerate));
    });
    questions.sort(function (a, b) {
      return (a.answered - b.answered) || (b.votes - a.votes) || (a.created_at < b.created_at ? -1 : 1);
    });
    list.textContent = "";
    questions.forEach(function (q) {
      var item = el("li", "chat-question");
      item.dataset.questionId = q.id;
      if (q.answered) item.classList.add("is-answered");
      if (q.hidden) item.classList.add("is-hidden");
      var count = el("span", "chat-votes", String(q.votes));
      count.dataset.votes = "";
      count.setAttribute("aria-label", q.votes + " " + self.t.votes);
      item.appendChild(count);
      var text = el("div", "chat-question-text");
      text.appendChild(el("p", "", q.body));
      // The projector is seen by the audience: anonymous stays anonymous there, even for organisers.
      var who = q.author && !(screen && q.anonymous) ? q.author.name : self.t.anonymous;
      text.appendChild(el("p", "muted", who + (q.answered ? " · " + self.t.answered : "") + (q.hidden ? " · " + self.t.hidden : "")));
      item.appendChild(text);
      if (!screen && self.me) {
        var actions = el("p", "chat-actions");
        if (self.canPost && !q.answered) {
          var vote = self.action(self.t.vote, function () {
            api("POST", "/api/chat/questions/" + q.id + "/vote/").then(function (updated) {
              updated.voted = true;
              self.keepQuestion(updated);
              self.renderQuestions();
            }).catch(function (e) { self.showError(e.message); });
          });
          vote.disabled = !!q.voted;
          vote.setAttribute("aria-pressed", q.voted ? "true" : "false");
          actions.appendChild(vote);
        }
        if (self.canAnswer) {
          actions.appendChild(self.action(self.t.markAnswered, function () { self.markQuestion(q.id, { answered: !q.answered }); }));
          actions.appendChild(self.action(self.t.hide, function () { self.markQuestion(q.id, { hidden: !q.hidden }); }));
        }
        item.appendChild(actions);
      }
      list.appendChild(item);
    });
  };

  Chat.prototype.markQuestion = function (id, change) {
    var self = this;
    api("PATCH", "/api/chat/questions/" + id + "/", change).catch(function (e) { self.showError(e.message); });
  };

  document.querySelectorAll("[data-chat]").forEach(function (root) { root.chat = new Chat(root); });

  // The big screen's button: the whole view fills the projector (Esc leaves, as browsers do).
  document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
    var view = button.closest(".chat-screen") || document.documentElement;
    if (!view.requestFullscreen) { button.hidden = true; return; }
    button.addEventListener("click", function () { view.requestFullscreen(); });
  });
})();
