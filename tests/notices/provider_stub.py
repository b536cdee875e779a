"""A local HTTP server standing in for the text-message provider (SOLAPI's v4 send API).

It answers each request with the next scripted answer (then with the recorded success),
and keeps what it was sent. `("hang", seconds)` holds the answer back that long.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A recorded SOLAPI answer to POST /messages/v4/send (accepted for delivery).
ACCEPTED = {
    "groupId": "G4V20260302100000ABCDEFGHIJKLMNO", "to": "01012345678", "from": "0215441234",
    "type": "LMS", "statusMessage": "정상 접수(이통사로 접수 예정) ", "country": "82",
    "messageId": "M4V20260302100000ABCDEFGHIJKLMNO", "statusCode": "2000",
    "accountId": "12345678",
}
# A recorded answer to a request it refuses (a malformed number).
REFUSED = {"errorCode": "ValidationError",
           "errorMessage": "수신번호(to)의 형식이 올바르지 않습니다."}
SERVER_ERROR = {"errorCode": "InternalError", "errorMessage": "Internal Server Error"}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        server = self.server
        with server.lock:
            server.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": body})
            action = server.script.pop(0) if server.script else (200, ACCEPTED)
        status, answer = action
        if status == "hang":
            time.sleep(answer)
            status, answer = 200, ACCEPTED
        data = json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (its timeout)


class ProviderStub(ThreadingHTTPServer):
    """Serve the provider's API on a free local port."""

    daemon_threads = True

    def __init__(self, script=None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(script or [])
        self.requests: list = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def sent(self) -> list[dict]:
        """The messages it was sent that it accepted or not (the `message` objects)."""
        return [r["body"]["message"] for r in self.requests]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
