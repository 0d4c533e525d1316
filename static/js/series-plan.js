// The planner's "Book N sessions" button books the plan shown beside the form, so it works only
// while the form holds the choices that plan was made for (the preview names them in
// `data-plan-for`) and no newer plan is on its way. Both are read from the page whenever it
// changes, never carried over, so a page that Back, Forward or the back/forward cache brings
// back decides for itself. The form asks for a plan only for choices other than the newest
// asked for: typing a number and then leaving the field asks once and adds one entry to the
// browser's history. Without this script the server still refuses a plan other than the one
// shown (the confirmation carries the plan's fingerprint).
(() => {
  const FORM_ID = "series-plan";
  // Previews on their way, in the order asked: the request -> { form, choices } it asks for.
  const asked = new Map();
  let failedFor = null; // the planning form whose newest preview could not be fetched

  const planningForm = () => document.getElementById(FORM_ID);

  // Choices as sorted name=value pairs without the empty ones: the server reads an empty field
  // as one left out, and the address lists every field while a first visit's lists only some.
  const choicesOf = (pairs) =>
    Array.from(pairs, ([name, value]) => [name, String(value)])
      .filter(([, value]) => value !== "")
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .sort()
      .join("&");

  const formChoices = (form) => choicesOf(new FormData(form));

  function shownChoices() {
    const preview = document.getElementById("preview");
    return preview ? choicesOf(new URLSearchParams(preview.dataset.planFor ?? "")) : null;
  }

  // The choices of the newest preview the page is waiting for, or null. A preview asked for
  // by a form that Back or Forward has since replaced lands nowhere: forget it.
  function newestAsked() {
    let newest = null;
    for (const [request, { form, choices }] of asked) {
      if (form.isConnected) newest = choices;
      else asked.delete(request);
    }
    return newest;
  }

  function showState() {
    const form = planningForm();
    if (form === null) return;
    const matches = formChoices(form) === shownChoices();
    const hold = !matches || newestAsked() !== null;
    document.querySelectorAll("#preview [data-plan-confirm]").forEach((button) => {
      button.disabled = hold;
    });
    document.querySelectorAll("#preview [data-plan-status]").forEach((status) => {
      status.textContent = failedFor === form ? status.dataset.failed : status.dataset.changed;
      status.hidden = matches;
    });
  }

  const fromPlanningForm = (element) =>
    element instanceof Element && element.isConnected && element.closest(`#${FORM_ID}`) !== null;

  // Seen as the event starts out (capturing), so the button is held before htmx on the form
  // even waits out its typing delay.
  for (const type of ["input", "change"]) {
    document.addEventListener(
      type,
      (event) => {
        if (fromPlanningForm(event.target)) showState();
      },
      true,
    );
  }

  // A change that leaves the choices as last asked for (leaving a number field just typed in,
  // or typing a value back) asks for nothing; "Update the plan" always asks again.
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (form.id !== FORM_ID || event.detail.triggeringEvent?.type === "submit") return;
    if (formChoices(form) === (newestAsked() ?? shownChoices())) {
      event.preventDefault();
      showState();
    }
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const { elt, xhr, requestConfig } = event.detail;
    if (elt.id !== FORM_ID) return;
    asked.set(xhr, { form: elt, choices: choicesOf(requestConfig.formData) });
    failedFor = null;
    showState();
  });

  // Also sent when a request fails or is cut short, then without `successful`.
  document.addEventListener("htmx:afterRequest", (event) => {
    const request = asked.get(event.detail.xhr);
    if (request === undefined) return;
    asked.delete(event.detail.xhr);
    failedFor = event.detail.successful === true ? null : request.form;
    showState();
  });

  // One address, one entry in the history: a plan asked for again with the same choices takes
  // its own entry's place, and a plan asked for by a page that Back or Forward has since
  // replaced leaves the address of the page shown.
  document.addEventListener("htmx:beforeHistoryUpdate", (event) => {
    const { history, requestConfig } = event.detail;
    const asker = requestConfig?.elt;
    if (asker?.id !== FORM_ID) return;
    if (!asker.isConnected) {
      history.type = "replace";
      history.path = location.href;
    } else if (new URL(history.path, location.href).href === location.href) {
      history.type = "replace";
    }
  });

  document.addEventListener("htmx:afterSettle", showState);
  document.addEventListener("htmx:historyRestore", showState);
  window.addEventListener("pageshow", showState);
  showState();
})();
