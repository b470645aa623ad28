"""Which addresses a live WebRTC connection actually uses: the selected ICE candidate pair, read
on an aiortc peer and inside a browser page (Chromium and Firefox name it differently)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiortc import RTCPeerConnection

from app.core.signaling.browser_page import BrowserPage

# test instrumentation, run in the page before its own scripts: keep every RTCPeerConnection the
# page makes, so that the test can read its getStats (the page itself is left unchanged)
RECORD_PEERS_JS = (
    "const Native = window.RTCPeerConnection; const made = (window.__testPeers = []);"
    " window.RTCPeerConnection = class extends Native {"
    " constructor(...args) { super(...args); made.push(this); } };"
)

# the page's newest connection: its selected pair (Chromium: the transport's
# selectedCandidatePairId; Firefox: the candidate pair marked selected) and its local candidates
_PAGE_PAIR_JS = """(async () => {
  const pc = window.__testPeers[window.__testPeers.length - 1];
  if (!pc) return null;
  const report = await pc.getStats();
  let pair = null;
  report.forEach((r) => {
    if (r.type === "transport" && r.selectedCandidatePairId)
      pair = report.get(r.selectedCandidatePairId);
  });
  if (!pair) report.forEach((r) => {
    if (r.type === "candidate-pair" && r.selected && r.nominated && r.state === "succeeded")
      pair = r;
  });
  const local = [];
  report.forEach((r) => { if (r.type === "local-candidate") local.push(r.address || r.ip); });
  if (!pair) return { pair: null, local };
  const ends = [report.get(pair.localCandidateId), report.get(pair.remoteCandidateId)];
  return { pair: ends.map((c) => (c.address || c.ip) + ":" + c.port), local };
})()"""


@dataclass(frozen=True)
class SelectedPair:
    """The addresses ``host:port`` at both ends of a connection's selected candidate pair."""

    local: str
    remote: str

    @property
    def hosts(self) -> tuple[str, str]:
        return self.local.rsplit(":", 1)[0], self.remote.rsplit(":", 1)[0]


def aiortc_selected_pairs(pc: RTCPeerConnection) -> list[SelectedPair]:
    """The nominated pair of each ICE transport of an aiortc peer (aiortc's getStats has no
    candidate pairs: read from its aioice connection, pinned aioice 0.13.0)."""
    pairs = []
    seen: set[int] = set()
    for transceiver in pc.getTransceivers():
        ice = transceiver.sender.transport.transport
        if id(ice) in seen:
            continue
        seen.add(id(ice))
        for pair in ice._connection._nominated.values():
            local: Any = pair.protocol.transport.get_extra_info("sockname")
            remote = pair.remote_addr
            pairs.append(SelectedPair(f"{local[0]}:{local[1]}", f"{remote[0]}:{remote[1]}"))
    return pairs


async def page_selected_pair(page: BrowserPage) -> tuple[SelectedPair | None, list[str]]:
    """The selected pair of the page's newest RTCPeerConnection (None before one is selected)
    and the addresses of all its local candidates; the page must have been opened with
    :data:`RECORD_PEERS_JS`."""
    found = await page.evaluate(_PAGE_PAIR_JS)
    if found is None:
        raise AssertionError("the page made no RTCPeerConnection (opened without RECORD_PEERS_JS?)")
    local: list[str] = found["local"]
    if found["pair"] is None:
        return None, local
    return SelectedPair(found["pair"][0], found["pair"][1]), local
