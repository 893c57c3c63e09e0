// The live view's script (a module, same origin): noVNC's RFB client, imported from the console's
// /novnc/ (Debian's novnc package, not vendored), connects to the VNC sink's WebSocket that the
// page names in #screen's data-url, view-only unless data-view-only is "false". noVNC draws into a
// canvas inside #screen at 1:1 and follows the guest's mode changes (DesktopSize).
import RFB from '/novnc/core/rfb.js';

const screen = document.getElementById('screen');
const status = document.getElementById('view-status');
const viewOnly = screen.dataset.viewOnly !== 'false';
const rfb = new RFB(screen, screen.dataset.url, { shared: true });
rfb.viewOnly = viewOnly;
rfb.scaleViewport = false;
rfb.resizeSession = false;
rfb.addEventListener('connect', function () {
  screen.dataset.state = 'connected';
  status.textContent = 'Live' + (viewOnly ? ' (view only)' : ': keys and pointer go to the device');
});
rfb.addEventListener('disconnect', function (e) {
  screen.dataset.state = 'disconnected';
  status.textContent = e.detail.clean ? 'The VNC sink closed the live view; reload to reconnect'
    : 'The VNC sink refused or dropped the connection (is this console\'s origin in its websocket.origins? see the'
      + ' instance\'s log); reload to try again';
});
rfb.addEventListener('credentialsrequired', function () {
  status.textContent = 'The VNC sink asks for a password; the live view connects to a VNC sink without one';
  rfb.disconnect();
});
