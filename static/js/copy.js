// "Copy" buttons beside read-only fields. Without this script the button stays hidden and
// the field can still be selected and copied by hand.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.focus();
    field.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch {
      // Older browsers, or a page not served over HTTPS: the field is selected instead.
      copied = document.execCommand("copy");
    }
    button.textContent = copied ? "Copied" : "Selected: copy it now";
  });
});
