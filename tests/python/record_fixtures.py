"""Records more golden cases from the official Python SDK (moobius 1.8.0),
with every network access stubbed, in the layout of shared/fixtures
(README.md there): one JSON file per case under
moobius-proto/tests/fixtures-extra/{http,ws_inbound}.

    /work/main/.venv/bin/python tests/python/record_fixtures.py [OUT_DIR]

The recordings are ours (the shared folder is the reference's own set): they
drive other calls and argument forms than the shared cases (every
HTTPAPIWrapper method; each argument in its loose forms: one id or record
where a list is expected, character records where ids are expected, local
files where URLs are expected, empty values, `headers="self"`; failures the
SDK swallows), and inbound frames in the forms the protocol allows (one
value or a list, records or ids).

How each kind is recorded (as the shared README describes):
* http: `HTTPAPIWrapper` methods with
  `moobius.network.http_api_wrapper.get_or_post` replaced by a recorder that
  feeds canned responses in order; direct aiohttp use (HEAD/GET of
  download_size/download) through a stubbed `aiohttp.ClientSession`.
* ws_inbound: `Moobius.handle_received_payload` (undecorated) fed a frame,
  with group lookups answered from a fixed table and every callback
  recorded.

The file is deterministic: running it twice writes the same files.
"""

import asyncio
import base64
import dataclasses
import io
import json
import os
import pathlib
import shutil
import sys
import tempfile

sys.argv = sys.argv[:1] + [a for a in sys.argv[1:] if False]  # moobius scans argv on import
OUT_ARG = os.environ.get("MOOBIUS_RECORD_OUT")

import aiohttp  # noqa: E402
from loguru import logger  # noqa: E402

import moobius  # noqa: E402
from moobius import types  # noqa: E402
from moobius.network import http_api_wrapper as haw  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = pathlib.Path(OUT_ARG) if OUT_ARG else REPO / "moobius-proto" / "tests" / "fixtures-extra"

SERVER = "https://api.moobius.ai/"
SETUP = {
    "http_server_uri": SERVER,
    "email": "fixture.beta@example.com",
    "password": "An0ther-Secret!B",
    "access_token": "<access_token>",
    "refresh_token": "<refresh_token>",
}
OK = 10000

U1 = "05e40000-0000-4000-8000-000000000011"
U2 = "05e40000-0000-4000-8000-000000000012"
A1 = "a9e27000-0000-4000-8000-000000000011"
SVC = "5e41ce00-0000-4000-8000-000000000011"
CH = "c4a22e10-0000-4000-8000-000000000011"
G1 = "9400d000-0000-4000-8000-000000000011"
AVATAR = "https://cdn.example.com/assets/avatar-two.png"

TMP = pathlib.Path(tempfile.mkdtemp(prefix="moobius-rec-"))
CWD = os.getcwd()


# ---------------------------------------------------------------------------
# Value encoding (README: "Value encoding").


def enc(v):
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        out = {"$dataclass": type(v).__name__}
        for f in dataclasses.fields(v):
            out[f.name] = enc(getattr(v, f.name))
        return out
    if isinstance(v, tuple):
        return {"$tuple": [enc(x) for x in v]}
    if isinstance(v, (bytes, bytearray)):
        out = {"$bytes_len": len(v), "$bytes_b64": base64.b64encode(bytes(v)).decode()}
        try:
            out["$bytes_utf8"] = bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            pass
        return out
    if isinstance(v, pathlib.PurePath):
        return {"$path": str(v)}
    if isinstance(v, dict):
        return {str(k): enc(x) for k, x in v.items()}
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, io.IOBase):
        return {"$file": getattr(v, "name", "?")}
    return v


def placeholders(text):
    """The generator's temp folder and working directory as placeholders."""
    text = text.replace(str(TMP.resolve()), "<tmp>").replace(str(TMP), "<tmp>")
    return text.replace(CWD + "/", "<cwd>/")


def write(kind, name, case):
    folder = OUT / kind
    folder.mkdir(parents=True, exist_ok=True)
    text = placeholders(json.dumps(case, indent=2, ensure_ascii=False))
    (folder / f"{name}.json").write_text(text + "\n")


# ---------------------------------------------------------------------------
# Stubs.

LOG = []


def sink(message):
    r = message.record
    LOG.append({"level": r["level"].name, "function": r["function"], "message": r["message"].split("\n")[0]})


logger.remove()
logger.add(sink, level="WARNING")


def form_of(data):
    """The presigned-POST fields in order, and the part headers aiohttp makes."""
    fields = [[k, enc(v)] for k, v in data.items()]
    fd = aiohttp.FormData(data)
    writer = fd()
    part_headers = []
    for part in writer._parts:
        payload = part[0]
        part_headers.append({k: v for k, v in payload.headers.items() if k != "Content-Length"})
    return fields, part_headers


class Recorder:
    """Stands in for `get_or_post`, answering from a list."""

    def __init__(self, responses):
        self.responses = list(responses)
        self.requests = []

    async def __call__(self, url, is_post, requests_kwargs=None, raise_json_decode_errors=True, aio_strategy=1):
        kw = dict(requests_kwargs or {})
        params = kw.get("params")
        full = str(aiohttp.client.URL(url).extend_query(params)) if params else url
        form = part_headers = None
        if "data" in kw:
            form, part_headers = form_of(kw["data"])
        if not self.responses:
            raise Exception("recorder: no canned response left")
        response = self.responses.pop(0)
        entry = {
            "method": "POST" if is_post else "GET",
            "url": url,
            "full_url": full,
            "params": params,
            "headers": kw.get("headers"),
            "json": kw.get("json"),
            "form": form,
        }
        if part_headers is not None:
            entry["multipart_part_headers"] = part_headers
        entry["raise_json_decode_errors"] = raise_json_decode_errors
        entry["response"] = response
        self.requests.append(entry)
        if isinstance(response, dict) and "blob" in response and raise_json_decode_errors:
            haw.failed_json_analyze(response["blob"], response["code"], raise_error=True)
        return json.loads(json.dumps(response))


class RawResponse:
    def __init__(self, spec):
        self.status = spec.get("status", 200)
        self.headers = spec.get("headers", {})
        body = spec.get("body", b"")
        self.content = RawContent(body)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *a):
        return False

    def __repr__(self):
        return f"<ClientResponse {self.status}>"


class RawContent:
    def __init__(self, body):
        self.body = body

    async def iter_chunked(self, n):
        for i in range(0, len(self.body), n):
            yield self.body[i : i + n]


class RawSession:
    """Stands in for aiohttp.ClientSession in the wrapper module."""

    answers = []
    made = []

    def __init__(self, *a, **kw):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *a):
        return False

    def _do(self, method, url, kwargs):
        spec = RawSession.answers.pop(0)
        resp = {"status": spec.get("status", 200)}
        if "headers" in spec:
            resp["headers"] = spec["headers"]
        if "body" in spec:
            resp["body"] = enc(spec["body"])
        RawSession.made.append({"method": method, "url": url, "kwargs": enc(kwargs), "response": resp})
        return RawResponse(spec)

    def head(self, url, **kwargs):
        return self._do("HEAD", url, kwargs)

    def get(self, url, **kwargs):
        return self._do("GET", url, kwargs)


class FakeAiohttp:
    """The wrapper module's `aiohttp`, with ClientSession stubbed."""

    def __getattr__(self, name):
        if name == "ClientSession":
            return RawSession
        return getattr(aiohttp, name)


haw.aiohttp = FakeAiohttp()


# ---------------------------------------------------------------------------
# HTTP cases.


def env(code=OK, data=None, message=None):
    out = {"code": code}
    if message is not None:
        out["message"] = message
    out["data"] = data
    return out


def ctx(name, avatar=AVATAR, description="desc"):
    return {"name": name, "avatar": avatar, "description": description}


def character(cid, name, avatar=AVATAR, description="desc"):
    c = ctx(name, avatar, description)
    return types.Character(character_id=cid, name=name, avatar=avatar, description=description, character_context=c)


def profile(cid, name):
    return {"character_id": cid, "character_context": ctx(name)}


UPLOAD_TARGET = env(
    data={
        "url": "https://gbaaibuild0.s3.amazonaws.com/",
        "fields": {
            "key": "uploads/b-0002.png",
            "AWSAccessKeyId": "AKIAFIXTUREB",
            "policy": "eyJleHBpcmF0aW9uIjoiMjAzMS0wMS0wMVQwMDowMDowMFoifQ==",
            "signature": "c2lnbmF0dXJlLQB",
        },
    }
)
UPLOADED = {"blob": "", "code": 204}


def tmpfile(name, content):
    p = TMP / name
    p.write_bytes(content)
    return str(p)


def http_case(name, method, args, responses=(), raw=(), note=None, setup=None):
    LOG.clear()
    RawSession.answers = list(raw)
    RawSession.made = []
    st = dict(SETUP, **(setup or {}))
    w = haw.HTTPAPIWrapper(st["http_server_uri"], st["email"], st["password"])
    w.access_token = st["access_token"]
    w.refresh_token = st["refresh_token"]
    rec = Recorder(responses)
    haw.get_or_post = rec
    recorded_args = enc(args)
    error = None
    result = None
    try:
        result = asyncio.run(getattr(w, method)(**args))
    except Exception as e:  # noqa: BLE001 - recorded as the case's error
        error = {"type": type(e).__name__, "message": str(e)}
    case = {
        "call": f"HTTPAPIWrapper.{method}",
        "setup": st,
        "args": recorded_args,
        "error": error,
        "request": rec.requests,
        "raw_http": RawSession.made,
        "result": enc(result),
        "result_repr": repr(result),
        "state_after": {"access_token": w.access_token, "refresh_token": w.refresh_token},
    }
    mutated = enc(args)
    if mutated != recorded_args:
        case["args_mutated_to"] = mutated
    if LOG:
        case["sdk_log"] = list(LOG)
    if note:
        case["note"] = note
    if rec.responses and error is None:
        raise SystemExit(f"{name}: {len(rec.responses)} canned responses unused")
    write("http", name, case)


def record_http():
    png = tmpfile("face.png", b"\x89PNG fixture avatar bytes")
    txt = tmpfile("notes.md", b"# notes\nsome text\n")
    noext = tmpfile("README", b"no extension here")
    alice = character(U1, "Alice")
    bob = character(U2, "Bob")
    agent = character(A1, "Helper")

    # Auth, failures included (the reference raises on an error envelope).
    http_case("auth-sign_out-failure", "sign_out", {}, [env(10401, None, "Token expired")])
    http_case("auth-refresh-failure", "refresh", {}, [env(10002, None, "Refresh token expired")])
    http_case("auth-request_sign_up_code-failure", "request_sign_up_code", {}, [env(10003, None, "User exists")])
    http_case("auth-sign_up_with_code-empty-code", "sign_up_with_code", {"the_code": ""}, [env(data=None)])
    http_case("auth-delete_account-failure", "delete_account", {}, [env(10001, None, "Incorrect password")])
    http_case(
        "auth-authenticate-other-account",
        "authenticate",
        {},
        [env(data={"AuthenticationResult": {"AccessToken": "<new_access_token>", "RefreshToken": "<refresh_token>"}})],
        setup={"access_token": "", "refresh_token": ""},
    )

    # Character profiles: every loose form of `character`.
    two = [profile(U1, "Alice"), profile(U2, "Bob")]
    http_case("fetch_character_profile-record", "fetch_character_profile", {"character": alice}, [env(data=[profile(U1, "Alice")])])
    http_case("fetch_character_profile-records", "fetch_character_profile", {"character": [alice, bob]}, [env(data=two)])
    http_case("fetch_character_profile-mixed", "fetch_character_profile", {"character": [U1, bob]}, [env(data=two)])
    http_case("fetch_character_profile-one-in-list", "fetch_character_profile", {"character": [U2]}, [env(data=[profile(U2, "Bob")])])
    http_case("fetch_character_profile-empty-list", "fetch_character_profile", {"character": []}, [env(data=[])])
    http_case(
        "fetch_character_profile-failure",
        "fetch_character_profile",
        {"character": U1},
        [env(10404, None, "no such character")],
    )

    # Members.
    http_case("fetch_member_ids-empty", "fetch_member_ids", {"channel_id": CH, "service_id": SVC}, [env(data={"character_list": []})])
    http_case(
        "fetch_member_ids-empty-raises",
        "fetch_member_ids",
        {"channel_id": CH, "service_id": SVC, "raise_empty_list_err": True},
        [env(data={"character_list": []})],
    )
    http_case(
        "fetch_member_ids-not-a-list",
        "fetch_member_ids",
        {"channel_id": CH, "service_id": SVC},
        [env(data={"character_list": "oops"})],
    )
    http_case("fetch_member_ids-failure", "fetch_member_ids", {"channel_id": CH, "service_id": SVC}, [env(10500, None, "server error")])

    # Agents.
    http_case(
        "fetch_agents-second-shape",
        "fetch_agents",
        {"service_id": SVC},
        [env(10404, None, "not found"), env(data=[profile(A1, "Helper")])],
    )
    http_case(
        "fetch_agents-all-fail",
        "fetch_agents",
        {"service_id": SVC},
        [env(10404, None, "a"), env(10404, None, "b"), env(10404, None, "c")],
    )
    http_case("fetch_agents-empty", "fetch_agents", {"service_id": SVC}, [env(data=[])])
    created = env(data=profile(A1, "Helper"))
    http_case(
        "create_agent-local-avatar",
        "create_agent",
        {"service_id": SVC, "name": "Helper", "avatar": png, "description": "desc"},
        [UPLOAD_TARGET, UPLOADED, created],
    )
    http_case(
        "create_agent-empty-avatar",
        "create_agent",
        {"service_id": SVC, "name": "Helper", "avatar": "", "description": "desc"},
        [created],
    )
    http_case(
        "create_agent-empty-description",
        "create_agent",
        {"service_id": SVC, "name": "Helper", "avatar": AVATAR, "description": ""},
        [created],
    )
    http_case(
        "update_agent-record",
        "update_agent",
        {"service_id": SVC, "character": agent, "avatar": AVATAR, "description": "new", "name": "Helper 2"},
        [env(data={"character_id": A1, "updated": True})],
    )
    http_case(
        "update_agent-local-avatar",
        "update_agent",
        {"service_id": SVC, "character": A1, "avatar": png, "description": "new", "name": "Helper 2"},
        [UPLOAD_TARGET, UPLOADED, env(data={"character_id": A1, "updated": True})],
    )
    http_case(
        "update_agent-empty-avatar",
        "update_agent",
        {"service_id": SVC, "character": agent, "avatar": "", "description": "", "name": "Helper"},
        [env(data={"character_id": A1, "updated": True})],
    )

    # The user.
    http_case(
        "update_current_user-local-avatar",
        "update_current_user",
        {"avatar": png, "description": "me", "name": "Me"},
        [UPLOAD_TARGET, UPLOADED, env(data={"user_id": U1, "updated": True})],
    )
    http_case(
        "update_current_user-empty-avatar",
        "update_current_user",
        {"avatar": "", "description": "", "name": "Me"},
        [env(data={"user_id": U1, "updated": True})],
    )
    http_case(
        "fetch_user_info-no-email_verified",
        "fetch_user_info",
        {},
        [env(data={"user_id": U1, "email": "b@example.com", "context": ctx("Me"), "system_context": {}})],
    )
    http_case("fetch_user_info-failure", "fetch_user_info", {}, [env(10401, None, "unauthorised")])

    # Services and channels.
    http_case("create_service-empty-description", "create_service", {"description": ""}, [env(data={"service_id": SVC})])
    http_case("fetch_service_id_list-empty", "fetch_service_id_list", {}, [env(data=[])])
    http_case(
        "bind_service_to_channel-204",
        "bind_service_to_channel",
        {"service_id": SVC, "channel_id": CH},
        [env(204, None, "no content")],
        note="the reference answers False to 204",
    )
    http_case(
        "unbind_service_from_channel-failure",
        "unbind_service_from_channel",
        {"service_id": SVC, "channel_id": CH},
        [env(10404, None, "not bound")],
    )
    http_case("create_channel-failure", "create_channel", {"channel_name": "X", "channel_desc": ""}, [env(10409, None, "exists")])
    http_case(
        "update_channel-empty-desc",
        "update_channel",
        {"channel_id": CH, "channel_name": "Renamed", "channel_desc": ""},
        [env(data=None)],
    )
    http_case(
        "fetch_popular_channels-records",
        "fetch_popular_channels",
        {},
        [env(data=[{"channel_id": CH, "channel_name": "A"}, "c4a22e10-0000-4000-8000-000000000012"])],
    )
    http_case("fetch_channel_list-records", "fetch_channel_list", {}, [env(data=[{"channel_id": CH}])])
    http_case("fetch_channel_list-empty", "fetch_channel_list", {}, [env(data=[])])
    http_case("this_user_channels-empty", "this_user_channels", {}, [env(data=[])])

    # Message history: limits and `before` in their forms; swallowed failures.
    msg = {
        "message_id": "3e55a9e0-0000-4000-8000-000000000011",
        "channel_id": CH,
        "sender": U1,
        "subtype": "text",
        "content": {"text": "hi"},
        "timestamp": 1730000000000,
        "recipients": [U2],
    }
    http_case("fetch_message_history-limit-int", "fetch_message_history", {"channel_id": CH, "limit": 10}, [env(data=[msg])])
    http_case(
        "fetch_message_history-limit-str-before",
        "fetch_message_history",
        {"channel_id": CH, "limit": "5", "before": "3e55a9e0-0000-4000-8000-000000000099"},
        [env(data=[msg])],
    )
    http_case("fetch_message_history-empty", "fetch_message_history", {"channel_id": CH}, [env(data=[])])
    http_case(
        "fetch_message_history-error-envelope",
        "fetch_message_history",
        {"channel_id": CH},
        [env(10403, None, "not a member")],
        note="swallowed: the reference logs an ERROR and returns the envelope",
    )
    http_case(
        "fetch_message_history-html",
        "fetch_message_history",
        {"channel_id": CH, "limit": 3},
        [{"blob": "<html><body>502 Bad Gateway</body></html>", "code": 502}],
        note="swallowed: the reference returns the raw body",
    )

    # Files.
    http_case("upload-no-extension", "upload", {"file_path": noext}, [UPLOAD_TARGET, UPLOADED])
    http_case("upload-markdown", "upload", {"file_path": txt}, [UPLOAD_TARGET, UPLOADED])
    http_case(
        "upload-post-fails",
        "upload",
        {"file_path": png},
        [UPLOAD_TARGET, {"blob": "<Error><Code>AccessDenied</Code></Error>", "code": 403}],
        note="swallowed: the reference logs an ERROR and returns the URL anyway",
    )
    http_case("upload-url-failure", "upload", {"file_path": png}, [env(10500, None, "no bucket")])
    http_case("convert_to_url-local-file", "convert_to_url", {"file_path": png}, [UPLOAD_TARGET, UPLOADED])
    http_case("convert_to_url-http", "convert_to_url", {"file_path": "http://cdn.example.com/a.gif"})
    http_case(
        "download_size-self-headers",
        "download_size",
        {"url": "https://cdn.example.com/private/a.pdf", "headers": "self"},
        raw=[{"status": 200, "headers": {"Content-Length": "1234"}}],
    )
    http_case(
        "download_size-no-length",
        "download_size",
        {"url": "https://cdn.example.com/a.bin"},
        raw=[{"status": 200, "headers": {}}],
    )
    body = b"private bytes of a.txt"
    http_case(
        "download-bytes-self-headers",
        "download",
        {"source": "https://cdn.example.com/private/a.txt", "bytes": True, "headers": "self"},
        raw=[{"status": 200, "body": body}],
    )
    message = types.MessageBody(
        subtype="file",
        channel_id=CH,
        content=types.MessageContent(path="https://cdn.example.com/files/report.pdf", filename="report.pdf", size=22),
        timestamp=1730000000000,
        recipients=[U1],
        sender=U2,
        message_id="3e55a9e0-0000-4000-8000-000000000012",
        context={},
    )
    http_case(
        "download-bytes-message",
        "download",
        {"source": message, "bytes": True},
        raw=[{"status": 200, "body": b"%PDF fixture report"}],
    )
    http_case(
        "download-bytes-not-found",
        "download",
        {"source": "https://cdn.example.com/missing.png", "bytes": True},
        raw=[{"status": 404, "body": b"not found"}],
    )

    # Groups: every loose form of `characters`.
    sg = env(data="9400b000-0000-4000-8000-000000000011")
    http_case("create_service_group-one-id", "create_service_group", {"characters": U1}, [sg])
    http_case("create_service_group-record", "create_service_group", {"characters": alice}, [sg])
    http_case("create_service_group-mixed", "create_service_group", {"characters": [alice, U2, agent]}, [sg])
    http_case("create_service_group-empty", "create_service_group", {"characters": []}, [sg])
    cg = env(data={"group_id": G1})
    http_case(
        "create_channel_group-records",
        "create_channel_group",
        {"channel_id": CH, "group_name": "pair", "characters": [alice, bob]},
        [cg],
    )
    http_case(
        "create_channel_group-one-id",
        "create_channel_group",
        {"channel_id": CH, "group_name": "solo", "characters": U2},
        [cg],
    )
    http_case(
        "character_ids_of_service_group-empty-data",
        "character_ids_of_service_group",
        {"group_id": G1},
        [env(data={})],
    )
    http_case("character_ids_of_service_group-None-string", "character_ids_of_service_group", {"group_id": "None"})
    http_case("character_ids_of_service_group-empty-string", "character_ids_of_service_group", {"group_id": ""})
    http_case(
        "character_ids_of_channel_group-empty-data",
        "character_ids_of_channel_group",
        {"sender_id": U1, "channel_id": CH, "group_id": G1},
        [env(data={})],
    )
    http_case(
        "character_ids_of_channel_group-failure",
        "character_ids_of_channel_group",
        {"sender_id": U1, "channel_id": CH, "group_id": G1},
        [env(10404, None, "no such group")],
    )
    http_case("fetch_channel_group_dict-empty", "fetch_channel_group_dict", {"channel_id": CH, "service_id": SVC}, [env(data=[])])
    http_case(
        "fetch_channel_temp_group-empty",
        "fetch_channel_temp_group",
        {"channel_id": CH, "service_id": SVC},
        [env(data=[])],
    )
    # Tuples where lists are expected, `None` where a value is expected,
    # arguments the reference refuses before any request.
    http_case("fetch_character_profile-tuple", "fetch_character_profile", {"character": (U1, bob)}, [env(data=two)])
    http_case("create_service_group-tuple", "create_service_group", {"characters": (U2, U1)}, [sg])
    http_case("create_channel_group-tuple-of-records", "create_channel_group", {"channel_id": CH, "group_name": "t", "characters": (alice,)}, [cg])
    http_case("character_ids_of_service_group-None", "character_ids_of_service_group", {"group_id": None})
    http_case("character_ids_of_service_group-false-string", "character_ids_of_service_group", {"group_id": "false"})
    http_case("convert_to_url-None", "convert_to_url", {"file_path": None})
    http_case("convert_to_url-missing-file", "convert_to_url", {"file_path": str(TMP / "missing.png")})
    http_case("upload-a-url", "upload", {"file_path": "https://cdn.example.com/a.png"})
    http_case("fetch_character_profile-int", "fetch_character_profile", {"character": 42})
    http_case("fetch_member_ids-int-channel", "fetch_member_ids", {"channel_id": 7, "service_id": SVC})
    http_case("fetch_message_history-before-None", "fetch_message_history", {"channel_id": CH, "before": None})
    http_case(
        "download-to-file",
        "download",
        {"source": "https://cdn.example.com/assets/pic.jpeg", "file_path": str(TMP / "out" / "pic")},
        raw=[{"status": 200, "body": b"jpeg bytes"}],
    )
    http_case(
        "download-message-without-path",
        "download",
        {"source": types.MessageBody(subtype="text", channel_id=CH, content=types.MessageContent(text="no file"), timestamp=1730000000000, recipients=[U1], sender=U2, message_id=None, context=None), "bytes": True},
    )
    http_case(
        "download_size-404-with-length",
        "download_size",
        {"url": "https://cdn.example.com/gone.bin"},
        raw=[{"status": 404, "headers": {"Content-Length": "162"}}],
        note="the reference ignores the status of the HEAD",
    )
    http_case("upload-pathlib-path", "upload", {"file_path": pathlib.Path(txt)}, [UPLOAD_TARGET, UPLOADED])
    http_case(
        "update_current_user-pathlib-avatar",
        "update_current_user",
        {"avatar": pathlib.Path(png), "description": "me", "name": "Me"},
        [UPLOAD_TARGET, UPLOADED, env(data={"user_id": U1, "updated": True})],
    )
    http_case("create_agent-None-avatar", "create_agent", {"service_id": SVC, "name": "Helper", "avatar": None, "description": "d"}, [created])
    http_case(
        "fetch_user_info-before-sign-in",
        "fetch_user_info",
        {},
        [env(10401, None, "Unauthorized")],
        setup={"access_token": "", "refresh_token": ""},
    )
    # Other server URIs: no trailing slash, a port, a path prefix.
    http_case("fetch_member_ids-base-no-slash", "fetch_member_ids", {"channel_id": CH, "service_id": SVC}, [env(data={"character_list": [U1]})], setup={"http_server_uri": "http://127.0.0.1:8080"})
    http_case("create_channel-base-with-path", "create_channel", {"channel_name": "P", "channel_desc": "d"}, [env(data={"channel_id": CH})], setup={"http_server_uri": "https://api.example.com/v2/"})
    http_case("character_ids_of_channel_group-base-with-port", "character_ids_of_channel_group", {"sender_id": U1, "channel_id": CH, "group_id": G1}, [env(data={"group_id": G1, "characters": [U1, U2]})], setup={"http_server_uri": "http://localhost:7700/"})
    # Not implemented by the reference: raises before any request.
    http_case("update_channel_group", "update_channel_group", {"channel_id": CH, "group_id": G1, "characters": [U1]})
    http_case("update_temp_channel_group", "update_temp_channel_group", {"channel_id": CH, "characters": [U1]})
    http_case("fetch_user_from_group", "fetch_user_from_group", {"user_id": U1, "channel_id": CH, "group_id": G1})
    http_case("fetch_target_group", "fetch_target_group", {"user_id": U1, "channel_id": CH, "group_id": G1})


# ---------------------------------------------------------------------------
# ws_outbound cases (dry run).

import re  # noqa: E402
import uuid as _uuid  # noqa: E402

from moobius.network.ws_client import WSClient  # noqa: E402
from moobius import json_utils  # noqa: E402

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def uuid_placeholders(v):
    """Only values under a `request_id` key that look like a uuid4."""
    if isinstance(v, dict):
        return {k: ("<uuid>" if k == "request_id" and isinstance(x, str) and UUID_RE.match(x) else uuid_placeholders(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [uuid_placeholders(x) for x in v]
    return v


def timestamp_placeholder(v):
    if isinstance(v, dict) and isinstance(v.get("body"), dict) and "timestamp" in v["body"]:
        v["body"]["timestamp"] = "<timestamp_ms>"
    return v


def outbound_case(name, method, args, note=None):
    LOG.clear()
    client = WSClient("wss://ws.moobius.ai/")
    recorded_args = enc(args)
    error = None
    result = payload = wire = None
    try:
        result = asyncio.run(getattr(client, method)(**args, dry_run=True))
    except Exception as e:  # noqa: BLE001 - recorded as the case's error
        error = {"type": type(e).__name__, "message": str(e)}
    if result is not None:
        text = WSClient.dumps(result)
        payload = timestamp_placeholder(uuid_placeholders(json.loads(text)))
        wire = json.dumps(payload)
    case = {
        "call": f"WSClient.{method}",
        "mode": "dry_run",
        "args": recorded_args,
        "payload": payload,
        "wire": wire,
        "result": timestamp_placeholder(uuid_placeholders(enc(result))),
        "error": error,
    }
    mutated = enc(args)
    if mutated != recorded_args:
        case["args_mutated_to"] = mutated
    if LOG:
        case["sdk_log"] = list(LOG)
    if note:
        case["note"] = note
    write("ws_outbound", name, case)


def record_ws_outbound():
    T = types
    base = {"service_id": SVC, "channel_id": CH, "recipients": G1}
    item_one = T.MenuItem(menu_item_id="quote", menu_item_text="Quote", message_subtypes="text")
    item_list = T.MenuItem(menu_item_id="save", menu_item_text="Save", message_subtypes=["image", "file"])
    outbound_case("update-menu-subtypes-string", "send_menu", dict(base, menu_items=[item_one]))
    outbound_case("update-menu-subtypes-both-forms", "send_menu", dict(base, menu_items=[item_one, item_list]))
    outbound_case("update-menu-empty-list", "send_menu", dict(base, menu_items=[]))
    outbound_case("update-menu-service-recipients", "send_menu", dict(base, menu_items=[item_list], recipients="service"))
    dialog = T.Dialog(
        title="Settings",
        components=[
            T.InputComponent(label="Level", type=T.INPUT_NUMBER if hasattr(T, "INPUT_NUMBER") else "number", required=True),
            T.InputComponent(label="Secret", type="password", placeholder="****"),
        ],
        bottom_buttons=[T.BottomButton(id="cancel", text="Cancel", submit=False), T.BottomButton(id="ok", text="OK", submit=True)],
    )
    btn = T.Button(button_id="settings", button_text="Settings", dialog=dialog)
    outbound_case("update-buttons-single-not-list", "send_buttons", dict(base, buttons=btn))
    outbound_case("update-buttons-two-dialogs", "send_buttons", dict(base, buttons=[btn, T.Button(button_id="go", button_text="Go")]))
    outbound_case("update-buttons-empty-recipients", "send_buttons", dict(base, buttons=[btn], recipients=""))
    outbound_case(
        "update-style-canvas-and-button",
        "send_style",
        dict(base, style_items=[T.StyleItem(widget="canvas", display="visible", expand=True), T.StyleItem(widget="button", display="highlight", button_id="go", text="<b>Go</b>")]),
    )
    outbound_case("update-canvas-single-item", "update_canvas", dict(base, canvas_items=T.CanvasItem(text="Score: 3")))
    outbound_case("update-canvas-empty-item", "update_canvas", dict(base, canvas_items=[T.CanvasItem()]))
    outbound_case("update-characters-service", "send_characters", dict(base, characters="9400d000-0000-4000-8000-000000000012", recipients="service"))
    outbound_case(
        "update-channel_info-record",
        "update_channel_info",
        {"channel_info": T.ChannelInfo(channel_id=CH, channel_name="Arena", channel_description="Play", channel_type="ccs"), "service_id": SVC, "channel_id": CH},
    )
    outbound_case(
        "message_down-file-content",
        "message_down",
        {"user_id": SVC, "service_id": SVC, "channel_id": CH, "recipients": G1, "subtype": "file", "content": T.MessageContent(path="https://cdn.example.com/f.zip", filename="f.zip", size=99), "sender": A1},
    )
    outbound_case(
        "message_down-card-content",
        "message_down",
        {"user_id": SVC, "service_id": SVC, "channel_id": CH, "recipients": "service", "subtype": "card", "content": {"text": "Docs", "link": "https://example.com", "title": "Read", "button": "Open"}, "sender": A1, "context": {"tag": 1}},
    )
    outbound_case(
        "message_down-none-recipients",
        "message_down",
        {"user_id": SVC, "service_id": SVC, "channel_id": CH, "recipients": None, "subtype": "text", "content": {"text": "x"}, "sender": A1},
    )
    outbound_case(
        "message_up-service-recipients",
        "message_up",
        {"user_id": U1, "service_id": U1, "channel_id": CH, "recipients": "service", "subtype": "text", "content": {"text": "to the service"}},
    )
    outbound_case(
        "message_up-audio-group",
        "message_up",
        {"user_id": U1, "service_id": U1, "channel_id": CH, "recipients": G1, "subtype": "audio", "content": T.MessageContent(path="https://cdn.example.com/a.mp3", size=5), "context": {"k": "v"}},
    )
    outbound_case(
        "action-button_click-one-argument",
        "send_button_click",
        {"button_id": "settings", "bottom_button_id": "ok", "button_args": [T.ClickArgument(label="Level", value="3")], "channel_id": CH, "user_id": U1},
    )
    outbound_case(
        "action-button_click-none-args",
        "send_button_click",
        {"button_id": "go", "bottom_button_id": None, "button_args": None, "channel_id": CH, "user_id": U1},
    )
    outbound_case("action-join_channel-other-user", "join_channel", {"user_id": U2, "channel_id": CH})
    outbound_case("action-leave_channel-other-user", "leave_channel", {"user_id": U2, "channel_id": CH})
    outbound_case("action-refresh-other-user", "refresh_as_user", {"user_id": U2, "channel_id": CH})
    outbound_case("service_login-other-service", "service_login", {"service_id": SVC, "access_token": "<access_token>"})
    outbound_case("update-generic-dict", "update", {"data": {"subtype": "custom", "channel_id": CH, "content": {"x": 1}}, "target_client_id": U1, "service_id": SVC})


# ---------------------------------------------------------------------------
# ws_outbound cases (Moobius methods, ws_client.send captured).


def sdk_case(name, method, args, service_mode=True, responses=(), raw=(), note=None):
    LOG.clear()
    m = make_moobius(service_mode)
    frames = []
    created = []
    counters = {"svc": 0, "chan": 0}

    async def send(message):
        if isinstance(message, dict):
            message = WSClient.dumps(message)
        frames.append(timestamp_placeholder(uuid_placeholders(json.loads(message))))

    async def create_service_group(characters):
        counters["svc"] += 1
        ids = types.to_char_id_list(characters)
        gid = f"9400b000-0000-4000-8000-{counters['svc']:012d}"
        created.append({"stub": "HTTPAPIWrapper.create_service_group", "characters": list(ids), "group_id": gid})
        return types.Group(group_id=gid, character_ids=list(ids))

    async def create_channel_group(channel_id, group_name, characters):
        counters["chan"] += 1
        ids = types.to_char_id_list(characters)
        gid = f"9400c000-0000-4000-8000-{counters['chan']:012d}"
        created.append({"stub": "HTTPAPIWrapper.create_channel_group", "channel_id": channel_id, "group_name": group_name, "characters": list(ids), "group_id": gid})
        return types.Group(group_id=gid, character_ids=list(ids))

    m.ws_client.send = send
    m.http_api.create_service_group = create_service_group
    m.http_api.create_channel_group = create_channel_group
    rec = Recorder(responses)
    haw.get_or_post = rec
    RawSession.answers = list(raw)
    RawSession.made = []
    recorded_args = enc(args)
    error = None
    result = None
    try:
        result = asyncio.run(getattr(m, method)(**args))
    except Exception as e:  # noqa: BLE001 - recorded as the case's error
        error = {"type": type(e).__name__, "message": str(e)}
    case = {
        "call": f"Moobius.{method}",
        "mode": "captured_send",
        "service_mode": service_mode,
        "client_id": m.client_id,
        "args": recorded_args,
        "error": error,
        "payload": frames or None,
        "wire": [json.dumps(f) for f in frames] or None,
        "result": timestamp_placeholder(uuid_placeholders(enc(result))),
        "groups_created": created,
        "http": rec.requests,
        "raw_http": RawSession.made,
    }
    mutated = enc(args)
    if mutated != recorded_args:
        case["args_mutated_to"] = mutated
    if LOG:
        case["sdk_log"] = list(LOG)
    if note:
        case["note"] = note
    write("ws_outbound", name, case)


def record_sdk_sends():
    T = types
    alice = character(U1, "Alice")
    bob = character(U2, "Bob")
    agent = character(A1, "Helper")
    sdk_case("sdk.send_message-recipient-record", "send_message", {"message": "hi Alice", "channel_id": CH, "sender": A1, "recipients": alice})
    sdk_case("sdk.send_message-recipients-records", "send_message", {"message": "hi both", "channel_id": CH, "sender": agent, "recipients": [alice, bob]})
    sdk_case("sdk.send_message-recipients-mixed", "send_message", {"message": "hi", "channel_id": CH, "sender": A1, "recipients": [U2, alice]})
    sdk_case("sdk.send_message-recipients-tuple", "send_message", {"message": "hi", "channel_id": CH, "sender": A1, "recipients": (U1, U2)})
    sdk_case(
        "sdk.send_message-image-url-path-kwarg",
        "send_message",
        {"message": "https://cdn.example.com/assets/pic.png", "channel_id": CH, "sender": A1, "recipients": [U1], "subtype": "image"},
        raw=[{"status": 200, "headers": {"Content-Length": "4096"}}],
    )
    sdk_case("sdk.send_message-user-mode-records", "send_message", {"message": "to you", "channel_id": CH, "recipients": [bob]}, service_mode=False)
    sdk_case("sdk.send_buttons-single-button-record-recipient", "send_buttons", {"buttons": T.Button(button_id="go", button_text="Go"), "channel_id": CH, "recipients": alice})
    sdk_case(
        "sdk.send_menu-subtypes-string",
        "send_menu",
        {"menu_items": [T.MenuItem(menu_item_id="quote", menu_item_text="Quote", message_subtypes="text")], "channel_id": CH, "recipients": [U1]},
    )
    sdk_case("sdk.send_canvas-single-item-url", "send_canvas", {"canvas_items": T.CanvasItem(text="hi", path="https://cdn.example.com/b.png"), "channel_id": CH, "recipients": [U1, U2]})
    sdk_case("sdk.send_characters-records", "send_characters", {"characters": [agent, alice], "channel_id": CH, "recipients": U1})
    notes = tmpfile("agenda.txt", b"1. fixtures\n2. rules\n")
    pic = tmpfile("shot.jpg", b"\xff\xd8\xff fixture jpeg")
    sdk_case("sdk.send_message-dict-message", "send_message", {"message": {"subtype": "text", "content": {"text": "from a dict"}, "channel_id": CH, "sender": A1, "recipients": [U1]}})
    sdk_case("sdk.send_message-path-kwarg-url", "send_message", {"message": "see this", "channel_id": CH, "sender": A1, "recipients": [U1], "path": "https://cdn.example.com/doc.pdf"}, raw=[{"status": 200, "headers": {"Content-Length": "777"}}])
    sdk_case("sdk.send_message-image-kwarg-local", "send_message", {"message": "a shot", "channel_id": CH, "sender": A1, "recipients": [U1], "image": pic}, responses=[UPLOAD_TARGET, UPLOADED])
    sdk_case("sdk.send_message-pathlib-file", "send_message", {"message": pathlib.Path(notes), "channel_id": CH, "sender": A1, "recipients": [U2]}, responses=[UPLOAD_TARGET, UPLOADED])
    sdk_case("sdk.send_message-audio-url-subtype", "send_message", {"message": "https://cdn.example.com/song.mp3", "channel_id": CH, "sender": A1, "recipients": [U1], "subtype": "audio"}, raw=[{"status": 200, "headers": {"Content-Length": "31337"}}])
    sdk_case("sdk.send_message-len_limit-short", "send_message", {"message": "abcdefghijklmnopqrstuvwxyz", "channel_id": CH, "sender": A1, "recipients": [U1], "len_limit": 5})
    sdk_case("sdk.send_message-text-kwarg-only", "send_message", {"message": None, "text": "only text", "channel_id": CH, "sender": A1, "recipients": [U1]})
    sdk_case("sdk.send_message-user-mode-context", "send_message", {"message": "ctx", "channel_id": CH, "recipients": [U2], "context": {"thread": "t1"}}, service_mode=False)
    sdk_case("sdk.send_button_click-args", "send_button_click", {"button_id": "go", "bottom_button_id": "ok", "button_args": [T.ClickArgument(label="n", value="1")], "channel_id": CH}, service_mode=False)
    sdk_case("sdk.send_menu_item_click-message-id", "send_menu_item_click", {"menu_item_id": "quote", "bottom_button_id": "confirm", "button_args": [], "the_message": "3e55a9e0-0000-4000-8000-000000000031", "channel_id": CH}, service_mode=False)
    sdk_case("sdk.send_join_channel-user", "send_join_channel", {"channel_id": CH}, service_mode=False)
    sdk_case("sdk.send_style-one-item-list", "send_style", {"style_items": [T.StyleItem(widget="canvas", display="invisible")], "channel_id": CH, "recipients": "service"})


def main():
    if OUT.exists():
        for kind in ("http", "ws_inbound", "ws_outbound"):
            shutil.rmtree(OUT / kind, ignore_errors=True)
    record_http()
    record_ws_inbound()
    record_ws_outbound()
    record_sdk_sends()
    n = {k: len(list((OUT / k).glob("*.json"))) for k in ("http", "ws_inbound", "ws_outbound") if (OUT / k).exists()}
    print(f"recorded into {OUT}: {n}")
    shutil.rmtree(TMP, ignore_errors=True)



# ---------------------------------------------------------------------------
# ws_inbound cases.

LEAVES = [
    "on_message_up", "on_message_down", "on_join", "on_leave", "on_refresh", "on_button_click",
    "on_menu_item_click", "on_copy_client", "on_unknown_payload", "on_update_characters",
    "on_update_buttons", "on_update_menu", "on_update_style", "on_update_canvas", "on_update_channel_info",
]
DISPATCHERS = ["on_action", "on_update"]

GROUPS = {
    G1: [U1, U2],
    "9400d000-0000-4000-8000-000000000012": [A1],
}


def group_table_get_or_post(lookups):
    async def stub(url, is_post, requests_kwargs=None, raise_json_decode_errors=True, aio_strategy=1):
        kw = dict(requests_kwargs or {})
        gid = None
        if "group_id=" in url:
            gid = url.split("group_id=")[1].split("&")[0]
        members = GROUPS.get(gid, [])
        response = {"code": OK, "data": {"group_id": gid, "characters": members} if members else {}}
        lookups.append(
            {
                "method": "POST" if is_post else "GET",
                "url": url,
                "full_url": url,
                "params": kw.get("params"),
                "headers": kw.get("headers"),
                "json": kw.get("json"),
                "form": None,
                "raise_json_decode_errors": raise_json_decode_errors,
                "response": response,
            }
        )
        return json.loads(json.dumps(response))

    return stub


def make_moobius(service_mode):
    m = moobius.Moobius(
        account_config={"email": SETUP["email"], "password": SETUP["password"]},
        service_config={
            "http_server_uri": SERVER,
            "ws_server_uri": "wss://ws.moobius.ai/",
            "service_id": SVC if service_mode else "",
            "channels": [CH],
            "others": "include",
            "checkin_interval": 0,
            "service_mode": service_mode,
            "no_warn_cannot_save_service_id": True,
        },
        log_config={"terminal_log_level": "CRITICAL", "log_level": "CRITICAL"},
    )
    m.client_id = SVC if service_mode else U1
    logger.remove()  # the SDK set up its own log sinks
    logger.add(sink, level="WARNING")
    m.http_api.access_token = "<access_token>"
    return m


def inbound_case(name, frame, service_mode=True, note=None):
    LOG.clear()
    m = make_moobius(service_mode)
    calls = []
    sent = []
    lookups = []
    haw.get_or_post = group_table_get_or_post(lookups)

    async def send(payload):
        sent.append(enc(payload))

    m.ws_client.send = send
    for cb in LEAVES:
        async def leaf(arg, _cb=cb):
            calls.append({"callback": _cb, "kind": "leaf", "arg_type": type(arg).__name__, "arg": enc(arg)})

        setattr(m, cb, leaf)
    for cb in DISPATCHERS:
        original = getattr(m, cb)

        async def dispatcher(arg, _cb=cb, _orig=original):
            calls.append({"callback": _cb, "kind": "dispatcher", "arg_type": type(arg).__name__, "arg": enc(json.loads(json.dumps(enc(arg))))})
            return await _orig(arg)

        setattr(m, cb, dispatcher)
    text = json.dumps(frame)
    error = None
    handler = type(m).handle_received_payload
    handler = getattr(handler, "__wrapped__", handler)
    try:
        asyncio.run(handler(m, text))
    except Exception as e:  # noqa: BLE001 - recorded as the case's error
        error = {"type": type(e).__name__, "message": str(e)}
    leaves = [c for c in calls if c["kind"] == "leaf"]
    case = {
        "call": "Moobius.handle_received_payload",
        "service_mode": service_mode,
        "client_id": m.client_id,
        "inbound": frame,
        "inbound_text": text,
        "error": error,
        "callback": leaves[-1]["callback"] if leaves else None,
        "result": {"callbacks": calls, "sent": sent, "group_lookups": lookups},
    }
    if LOG:
        case["sdk_log"] = list(LOG)
    if note:
        case["note"] = note
    write("ws_inbound", name, case)


def rid(n):
    return f"7e9e0000-0000-4000-8000-0000000001{n:02x}"


def update(n, subtype, content, recipients=G1, **extra):
    body = {"subtype": subtype, "channel_id": CH, "recipients": recipients, "content": content, "group_id": "temp", "context": {}}
    body.update(extra)
    return {"type": "update", "request_id": rid(n), "service_id": SVC, "body": body}


def action(n, body):
    b = {"channel_id": CH, "sender": U1, "context": {}}
    b.update(body)
    return {"type": "action", "request_id": rid(n), "user_id": U1, "body": b}


def record_ws_inbound():
    menu_one = {"menu_item_id": "quote", "menu_item_text": "Quote", "message_subtypes": "text"}
    menu_list = {"menu_item_id": "save", "menu_item_text": "Save", "message_subtypes": ["image", "file"], "dialog": {"title": "Save as", "components": [{"label": "Name", "type": "text", "required": True, "placeholder": "file name"}], "bottom_buttons": [{"id": "ok", "text": "Save", "submit": True}]}}
    inbound_case("update-menu-subtypes-string", update(1, "menu", [menu_one]), service_mode=False)
    inbound_case("update-menu-subtypes-mixed-forms", update(2, "menu", [menu_one, menu_list]), service_mode=False)
    inbound_case("update-menu-empty", update(3, "menu", []), service_mode=False)
    inbound_case(
        "update-buttons-dialog-dropdown",
        update(4, "buttons", [{"button_id": "pick", "button_text": "Pick", "dialog": {"title": "Pick one", "components": [{"label": "Color", "type": "dropdown", "choices": ["red", "blue"], "required": False}]}}]),
        service_mode=False,
    )
    inbound_case("update-buttons-empty", update(5, "buttons", []), service_mode=False)
    inbound_case(
        "update-style-canvas-expand",
        update(6, "style", [{"widget": "canvas", "display": "visible", "expand": True}, {"widget": "button", "display": "highlight", "button_id": "pick", "text": "<b>Pick</b>"}]),
        service_mode=False,
    )
    inbound_case("update-canvas-path-only", update(7, "canvas", [{"path": "https://cdn.example.com/assets/board.png"}]), service_mode=False)
    inbound_case("update-canvas-service-recipients", update(8, "canvas", [{"text": "hello"}], recipients="service"), service_mode=False)
    inbound_case(
        "update-characters-group-of-agents",
        update(9, "characters", {"characters": "9400d000-0000-4000-8000-000000000012"}),
        service_mode=False,
    )
    inbound_case(
        "update-characters-unknown-group",
        update(10, "characters", {"characters": "9400d000-0000-4000-8000-0000000000ff"}),
        service_mode=False,
    )
    inbound_case(
        "update-channel_info-extra-keys",
        update(11, "channel_info", {"channel_id": CH, "channel_name": "Arena", "channel_description": "Play", "channel_type": "ccs", "theme": "dark"}),
        service_mode=False,
    )
    inbound_case("update-no-recipients-key", {"type": "update", "request_id": rid(12), "service_id": SVC, "body": {"subtype": "canvas", "channel_id": CH, "content": [{"text": "x"}], "group_id": "temp", "context": {}}}, service_mode=False)

    msg_body = {"subtype": "text", "channel_id": CH, "content": {"text": "héllo ✓"}, "timestamp": 1730000000123, "recipients": "service", "sender": U1, "message_id": "3e55a9e0-0000-4000-8000-000000000021", "context": {}}
    inbound_case("message_up-non-ascii", {"type": "message_up", "request_id": rid(13), "user_id": U1, "body": msg_body})
    card = dict(msg_body, subtype="card", content={"text": "Read", "link": "https://example.com", "title": "Docs", "button": "Open"}, message_id="3e55a9e0-0000-4000-8000-000000000022")
    inbound_case("message_up-card", {"type": "message_up", "request_id": rid(14), "user_id": U1, "body": card})
    file_up = dict(msg_body, subtype="file", content={"path": "https://cdn.example.com/files/a.zip", "filename": "a.zip", "size": 2048}, recipients=G1, message_id="3e55a9e0-0000-4000-8000-000000000023")
    inbound_case("message_up-file-group-recipients", {"type": "message_up", "request_id": rid(15), "user_id": U1, "body": file_up})
    audio_down = dict(msg_body, subtype="audio", content={"path": "https://cdn.example.com/a.mp3", "size": 10}, recipients=G1, sender=A1, message_id="3e55a9e0-0000-4000-8000-000000000024", context=None)
    inbound_case("message_down-audio-null-context", {"type": "message_down", "request_id": rid(16), "service_id": SVC, "body": audio_down}, service_mode=False)

    inbound_case("action-join-channel-subtype-in-service", action(17, {"subtype": "join_channel"}))
    inbound_case("action-leave-with-context", action(18, {"subtype": "leave", "context": {"reason": "bye"}}))
    inbound_case("action-button_click-flat-with-filename", action(19, {"subtype": "button_click", "button_id": "upload", "arguments": [{"label": "File", "value": "https://cdn.example.com/u.png", "filename": "u.png"}], "bottom_button_id": "go"}))
    inbound_case("action-button_click-mixed-nesting", action(20, {"subtype": "button_click", "button_id": "b", "arguments": [[{"label": "A", "value": "1"}], {"label": "B", "value": "2"}]}))
    inbound_case("action-button_click-null-arguments", action(21, {"subtype": "button_click", "button_id": "b", "arguments": None}))
    inbound_case(
        "action-menu_item_click-image",
        action(22, {"subtype": "menu_item_click", "menu_item_id": "save", "message_id": "3e55a9e0-0000-4000-8000-000000000025", "message_subtype": "image", "message_content": {"path": "https://cdn.example.com/i.png"}, "arguments": [{"label": "Name", "value": "pic"}], "bottom_button_id": "ok"}),
    )
    inbound_case(
        "action-menu_item_click-no-arguments",
        action(23, {"subtype": "menu_item_click", "menu_item_id": "quote", "message_subtype": "text", "message_content": {"text": "hi"}}),
    )
    inbound_case("action-refresh-extra-key", action(24, {"subtype": "refresh", "client_version": "3.1"}))
    inbound_case("action-fetch_characters-legacy", action(25, {"subtype": "fetch_characters"}))

    inbound_case("copy-status-true-with-context", {"type": "copy", "request_id": rid(26), "body": {"request_id": rid(1), "origin_type": "message_down", "status": True, "context": {"message": "ok"}}})
    inbound_case("refresh-top-level-user-mode", {"type": "refresh", "request_id": rid(27), "body": {"channel_id": CH, "sender": U1, "context": {}}}, service_mode=False)
    inbound_case("roger-unhandled-type", {"type": "roger", "request_id": rid(28), "body": {"channel_id": CH}})
    inbound_case("message-forbidden-no-body", {"message": "Forbidden"})
    inbound_case("update-unknown-subtype-in-service-mode", update(29, "theme", [{"color": "red"}]))
    inbound_case("update-characters-list-of-ids", update(30, "characters", {"characters": [U1, A1]}), service_mode=False)
    inbound_case(
        "update-characters-list-of-records",
        update(31, "characters", {"characters": [{"character_id": A1, "character_context": ctx("Helper")}]}),
        service_mode=False,
    )
    inbound_case("update-recipients-list", update(32, "buttons", [{"button_id": "b", "button_text": "B"}], recipients=[U1, U2]), service_mode=False)
    inbound_case("message_up-recipients-list", {"type": "message_up", "request_id": rid(33), "user_id": U1, "body": dict(msg_body, recipients=[SVC], message_id="3e55a9e0-0000-4000-8000-000000000026")})
    inbound_case("message_up-null-recipients", {"type": "message_up", "request_id": rid(34), "user_id": U1, "body": dict(msg_body, recipients=None, message_id="3e55a9e0-0000-4000-8000-000000000027")})
    inbound_case("action-join-unknown-keys", action(35, {"subtype": "join", "avatar_hint": "x", "context": {"k": [1, 2]}}))
    inbound_case("copy-status-false-user-mode", {"type": "copy", "request_id": rid(36), "body": {"request_id": rid(2), "origin_type": "message_up", "status": False, "context": {"reason": "rejected"}}}, service_mode=False)


if __name__ == "__main__":
    main()
