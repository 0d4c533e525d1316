// "Print" buttons. Without this script the button stays hidden; the browser's own print works.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
