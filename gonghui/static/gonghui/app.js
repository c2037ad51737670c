// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // On a phone the side menu starts folded.
  if (window.matchMedia("(max-width: 760px)").matches) {
    document.querySelectorAll("details.nav-toggle").forEach((d) => d.removeAttribute("open"));
  }
});
