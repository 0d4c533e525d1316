/* Moving a session on the calendar by dragging it to another time, day or esthetician, with
   the browser's own drag and drop (HTML drag events: no library).

   The drop is sent to the session's move address (data-move-url on the card, which carries
   the calendar's view) as a reschedule: the server checks it like a new booking and answers
   with the calendar as it now stands, which htmx swaps in, and with what became of the move
   for the page's live region (#cal-announce). A refused move therefore puts the card back
   where it was and says why. The card waits at its new place meanwhile; if no answer comes,
   it goes back and the live region says so. Either way the card keeps the keyboard's focus
   (moving it in the page, or swapping the calendar, would drop it to the page's start).

   Without a pointer or without script, a session is moved from its own page (Reschedule). */
(function () {
  "use strict";

  var ROW_MINUTES = 15;
  // The session being dragged: its card, where on the card it was picked up, its length.
  var dragging = null;
  // The card waiting at its new place for the server's answer, and where it came from.
  var waiting = null;
  var marker = null;

  function number(card, prefix) {
    var found = new RegExp("\\b" + prefix + "(\\d+)\\b").exec(card.className);
    return found ? Number(found[1]) : 1;
  }

  function elementOf(target) {
    return target && target.nodeType === 1 ? target : target && target.parentElement;
  }

  function columnAt(event) {
    var element = elementOf(event.target);
    return element ? element.closest(".cal__col[data-esthetician]") : null;
  }

  function twoDigits(value) {
    return (value < 10 ? "0" : "") + value;
  }

  // The 15-minute row the card's top edge would sit on, and the time it starts there.
  function slotAt(column, clientY) {
    var grid = column.closest(".cal");
    var rows = Number(grid.dataset.rows);
    var box = column.getBoundingClientRect();
    var rowHeight = box.height / rows;
    var row = Math.round((clientY - dragging.grabY - box.top) / rowHeight);
    row = Math.max(0, Math.min(rows - Math.min(dragging.span, rows), row));
    var minutes = Number(grid.dataset.firstMinute) + row * ROW_MINUTES;
    return {
      row: row + 1,
      time: twoDigits(Math.floor(minutes / 60)) + ":" + twoDigits(minutes % 60),
    };
  }

  function showMarker(column, slot) {
    if (!marker) {
      marker = document.createElement("div");
      marker.setAttribute("aria-hidden", "true");
    }
    if (marker.parentElement !== column) {
      clearTarget();
      column.appendChild(marker);
      column.classList.add("cal__col--target");
    }
    // Positions are classes: the Content Security Policy refuses inline styles.
    marker.className =
      "cal__drop cal-row-" + slot.row + " cal-span-" + Math.max(1, dragging.span);
    marker.textContent = slot.time;
  }

  function clearTarget() {
    document.querySelectorAll(".cal__col--target").forEach(function (column) {
      column.classList.remove("cal__col--target");
    });
    if (marker && marker.parentElement) {
      marker.parentElement.removeChild(marker);
    }
  }

  function stopDragging() {
    clearTarget();
    if (dragging) {
      dragging.card.classList.remove("cal-session--dragging");
    }
    dragging = null;
  }

  function announce(words) {
    var region = document.getElementById("cal-announce");
    if (!region) {
      return;
    }
    var said = document.createElement("p");
    said.className = "alert alert--error";
    said.textContent = words;
    region.replaceChildren(said);
  }

  function placeAt(card, column, slot) {
    waiting = {
      card: card,
      href: card.getAttribute("href"),
      parent: card.parentElement,
      next: card.nextSibling,
      className: card.className,
    };
    card.className =
      card.className
        .replace(/\bcal-row-\d+\b/, "cal-row-" + slot.row)
        .replace(/\bcal-lane-\d+\b/, "cal-lane-0")
        .replace(/\bcal-lanes-\d+\b/, "cal-lanes-1") + " cal-session--moving";
    card.setAttribute("aria-busy", "true");
    column.appendChild(card);
    card.focus({ preventScroll: true });
  }

  function putBack() {
    if (!waiting) {
      return;
    }
    var card = waiting.card;
    card.className = waiting.className;
    card.removeAttribute("aria-busy");
    if (waiting.parent && waiting.parent.isConnected) {
      waiting.parent.insertBefore(card, waiting.next);
      card.focus({ preventScroll: true });
    }
    waiting = null;
  }

  // The session's card in the calendar swapped in (where it now is, or back where it was);
  // failing that, what became of the move.
  function focusAfterSwap(href) {
    var calendar = document.getElementById("calendar");
    var card =
      calendar &&
      calendar.querySelector('.cal-session[href="' + CSS.escape(href) + '"]');
    if (card) {
      card.focus();
      return;
    }
    var region = document.getElementById("cal-announce");
    if (region && region.textContent.trim()) {
      region.setAttribute("tabindex", "-1");
      region.focus();
    }
  }

  document.addEventListener("dragstart", function (event) {
    var element = elementOf(event.target);
    var card = element && element.closest(".cal-session[data-move-url]");
    if (!card || waiting) {
      return;
    }
    dragging = {
      card: card,
      grabY: event.clientY - card.getBoundingClientRect().top,
      span: number(card, "cal-span-"),
    };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/uri-list", card.href);
    event.dataTransfer.setData("text/plain", card.href);
    card.classList.add("cal-session--dragging");
  });

  document.addEventListener("dragover", function (event) {
    var column = dragging && columnAt(event);
    if (!column) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    showMarker(column, slotAt(column, event.clientY));
  });

  document.addEventListener("drop", function (event) {
    var column = dragging && columnAt(event);
    if (!column) {
      return;
    }
    event.preventDefault();
    var card = dragging.card;
    var slot = slotAt(column, event.clientY);
    stopDragging();
    if (column === card.parentElement && slot.row === number(card, "cal-row-")) {
      return;
    }
    placeAt(card, column, slot);
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: "#calendar",
      swap: "outerHTML",
      values: {
        day: column.dataset.day,
        time: slot.time,
        esthetician: column.dataset.esthetician,
      },
    });
  });

  document.addEventListener("dragend", stopDragging);

  // The answer swapped in: the card it replaced is gone with the old calendar.
  document.addEventListener("htmx:afterSwap", function () {
    if (waiting && !waiting.card.isConnected) {
      var href = waiting.href;
      waiting = null;
      focusAfterSwap(href);
    }
  });

  function noAnswer(event) {
    if (!waiting || event.detail.elt !== waiting.card) {
      return;
    }
    putBack();
    var status = event.detail.xhr && event.detail.xhr.status;
    announce(
      "Not moved: " +
        (status
          ? "the server could not take the move (error " + status + ")."
          : "the server could not be reached.") +
        " Try again, or open the session and use Reschedule."
    );
  }

  document.addEventListener("htmx:responseError", noAnswer);
  document.addEventListener("htmx:sendError", noAnswer);
  document.addEventListener("htmx:timeout", noAnswer);
})();
