/*
 * The demo server's stand-in panel (demo/DemoFrame.php): the sign-in
 * switcher signs in as soon as another account is chosen, and on phones the
 * side menu folds into a button. Without this script the switcher's button
 * and the open menu still work.
 */
(function () {
  'use strict';
  document.documentElement.classList.add('demo-js');
  var select = document.getElementById('se-demo-user');
  if (select) select.addEventListener('change', function () { select.form.submit(); });
  var toggle = document.querySelector('.demo-menu-toggle');
  if (toggle) {
    toggle.addEventListener('click', function () {
      toggle.setAttribute('aria-expanded', toggle.getAttribute('aria-expanded') === 'true' ? 'false' : 'true');
    });
  }
}());
