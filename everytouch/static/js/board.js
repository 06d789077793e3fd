// The lead board's drag and drop: a card dropped on another column is moved through the same
// stage-change action the card's "Move" form posts to (asking for JSON). A refused move (a
// skipped stage, a lead that is not yours) puts the card back and says why. Without this file
// (or without a pointer) the "Move" form on each card does the same job.
(function () {
  "use strict";

  function csrfToken() {
    var headers = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(headers || "{}")["X-CSRFToken"] || "";
    } catch (err) {
      return "";
    }
  }

  function announce(text, ok) {
    var status = document.getElementById("board-status");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", !ok);
    status.classList.toggle("ok", ok);
  }

  function bump(list, delta) {
    var count = list.closest(".column").querySelector("[data-count]");
    if (!count) return;
    var n = parseInt(count.getAttribute("data-count"), 10) + delta;
    count.setAttribute("data-count", String(n));
    count.textContent = String(n);
  }

  function putBack(evt) {
    var before = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, before);
  }

  function askWhyLost(evt) {
    // Lost needs a reason: put the card back and open its own form with Lost chosen.
    putBack(evt);
    var menu = evt.item.querySelector("details.lead-move");
    if (!menu) return;
    menu.open = true;
    menu.querySelector("select[name=stage]").value = "lost";
    var reason = menu.querySelector("input[name=lost_reason]");
    if (reason) reason.focus();
    announce("Say why the lead was lost, then choose Move.", false);
  }

  function answered(evt, response) {
    return response.json().catch(function () {
      return { ok: false, message: "Not moved: the server did not answer (" + response.status + ")." };
    });
  }

  function moved(evt) {
    if (evt.from === evt.to) return;
    var card = evt.item;
    var stage = evt.to.getAttribute("data-stage");
    if (stage === "lost") {
      askWhyLost(evt);
      return;
    }
    var body = new FormData();
    body.append("stage", stage);
    card.classList.add("moving");
    fetch(card.getAttribute("data-move-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return answered(evt, response);
      })
      .catch(function () {
        return { ok: false, message: "Not moved: the server could not be reached." };
      })
      .then(function (data) {
        card.classList.remove("moving");
        if (!data.ok) {
          putBack(evt);
          announce(data.message, false);
          return;
        }
        bump(evt.from, -1);
        bump(evt.to, 1);
        var holder = document.createElement("div");
        holder.innerHTML = data.card;
        var fresh = holder.firstElementChild;
        card.replaceWith(fresh);
        if (window.htmx) window.htmx.process(fresh);
        announce(data.message, true);
      });
  }

  function setUp(root) {
    if (!window.Sortable) return;
    root.querySelectorAll(".column-cards").forEach(function (list) {
      if (list.getAttribute("data-sortable") === "on") return;
      list.setAttribute("data-sortable", "on");
      window.Sortable.create(list, {
        group: "leads",
        sort: false,
        draggable: ".lead-card[data-movable]",
        // Links, the Move menu and its controls keep working as themselves.
        filter: "a, summary, select, input, button, form",
        preventOnFilter: false,
        // Mouse and touch events rather than the browser's own drag and drop: the same on a
        // phone, and the card follows the finger.
        forceFallback: true,
        fallbackTolerance: 4,
        delayOnTouchOnly: true,
        delay: 150,
        animation: 120,
        ghostClass: "drop-here",
        onEnd: moved,
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
  });
  // The fallback form swaps the whole board in again: wire up the new columns.
  document.addEventListener("htmx:afterSettle", function () {
    setUp(document);
  });
})();
