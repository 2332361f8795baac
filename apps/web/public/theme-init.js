// Applies the colour theme before the first paint (a classic blocking script: the CSP allows no inline
// script). Keep the key and the rules in step with apps/web/src/lib/theme.ts, which takes over once the
// app runs and knows the signed-in user.
(function () {
  var choice = 'system';
  try {
    var stored = window.localStorage.getItem('specline.theme');
    if (stored === 'light' || stored === 'dark') choice = stored;
  } catch (e) {
    /* storage unavailable: follow the system */
  }
  var dark = choice === 'dark' || (choice === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  var root = document.documentElement;
  if (dark) root.classList.add('dark');
  root.style.colorScheme = dark ? 'dark' : 'light';
})();
