// The planner's "Book N sessions" button books the plan shown beside the form. From the moment
// the form changes until the plan for the new choices has arrived, the plan shown is out of
// date: the button is disabled and a line says why. A plan that arrives for choices changed
// since it was asked for stays out of date; the next one brings a button that works.
// Without this script the server still refuses a plan other than the one shown (the
// confirmation carries the plan's fingerprint).
(() => {
  const FORM_ID = "series-plan";
  let changes = 0; // how many times the planning form has changed on this page
  const changesSent = new WeakMap(); // a preview request -> `changes` when it was sent

  const fromPlanningForm = (element) =>
    element instanceof Element && element.closest(`#${FORM_ID}`) !== null;

  function holdBooking(failed = false) {
    document.querySelectorAll("#preview [data-plan-confirm]").forEach((button) => {
      button.disabled = true;
    });
    document.querySelectorAll("#preview [data-plan-status]").forEach((status) => {
      if (failed) status.textContent = status.dataset.failed;
      status.hidden = false;
    });
  }

  // Counted as the event starts out (capturing), before htmx on the form sends the request
  // the change makes: that request then carries it.
  for (const type of ["input", "change"]) {
    document.addEventListener(
      type,
      (event) => {
        if (!fromPlanningForm(event.target)) return;
        changes += 1;
        holdBooking();
      },
      true,
    );
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id !== FORM_ID) return;
    changesSent.set(event.detail.xhr, changes);
    holdBooking();
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const sent = changesSent.get(event.detail.xhr);
    if (sent !== undefined && sent !== changes) holdBooking();
  });

  for (const type of ["htmx:responseError", "htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(type, (event) => {
      if (event.detail.elt.id === FORM_ID) holdBooking(true);
    });
  }
})();
