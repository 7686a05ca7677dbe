"""The reference SDK's side of the codec comparison (issue: performance).

Measures the official Python SDK (moobius 1.8.0) on the same payload files our
`codec` bench reads, the way `shared/bench/RESULTS.md` describes: CPU only,
network stubbed, group lookups answered from memory (`world.json`), terminal
log level WARNING, one asyncio loop; the median of RUNS runs of N payloads.

  inbound  <file>: Moobius.handle_received_payload(line) -> on_* callback
  outbound message_down: send_message(text, channel, sender, 3 recipients)
           -> the JSON frame handed to ws_client.send (group cache warm)

Prints one JSON object: {"<what>": microseconds per payload, ...}.
Usage: python reference_codec.py PAYLOAD_DIR [N] [RUNS]
"""

import asyncio
import json
import statistics
import sys
import time


def main():
    payload_dir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    world = json.load(open(f"{payload_dir}/world.json"))

    from moobius import Moobius

    class Quiet(Moobius):
        async def on_message_up(self, message):
            pass

        async def on_join(self, action):
            pass

        async def on_button_click(self, click):
            pass

    svc = Quiet(
        account_config={"email": "bench@example.com", "password": "x"},
        service_config={
            "http_server_uri": "http://127.0.0.1:9/",
            "ws_server_uri": "ws://127.0.0.1:9/",
            "service_id": world["service_id"],
            "channels": [world["channel_id"]],
            "no_warn_cannot_save_service_id": True,
        },
        db_config=[],
        log_config={"terminal_log_level": "WARNING", "error_log_file": None},
    )
    groups = world["groups"]

    async def channel_group(sender_id, channel_id, group_id):
        return list(groups.get(group_id, []))

    async def service_group(group_id):
        return list(groups.get(group_id, []))

    svc.http_api.character_ids_of_channel_group = channel_group
    svc.http_api.character_ids_of_service_group = service_group

    sent = []

    async def capture(message):
        sent.append(message if isinstance(message, str) else svc.ws_client.dumps(message))

    svc.ws_client.send = capture
    handle = getattr(svc.handle_received_payload, "__wrapped__", None)

    def lines(name):
        with open(f"{payload_dir}/{name}.jsonl") as f:
            return [line for line in f.read().splitlines() if line.strip()]

    async def inbound(name):
        ls = lines(name)
        out = []
        for _ in range(runs):
            t0 = time.process_time()
            for i in range(n):
                if handle is not None:
                    await handle(svc, ls[i % len(ls)])
                else:
                    await svc.handle_received_payload(ls[i % len(ls)])
            out.append((time.process_time() - t0) / n * 1e6)
        return statistics.median(out)

    async def outbound():
        recipients = world["users"][:3]

        async def create_service_group(ids):
            class G:
                group_id = "9400b000-0000-4000-8000-000000000001"
            return G()

        svc.http_api.create_service_group = create_service_group
        await svc.send_message("hello", channel_id=world["channel_id"], sender=world["users"][0], recipients=recipients)
        out = []
        for _ in range(runs):
            sent.clear()
            t0 = time.process_time()
            for _ in range(n):
                await svc.send_message("hello", channel_id=world["channel_id"], sender=world["users"][0], recipients=recipients)
            out.append((time.process_time() - t0) / n * 1e6)
        assert len(sent) == n, f"expected {n} frames, captured {len(sent)}"
        return statistics.median(out)

    async def run():
        res = {}
        for name in ["message_up", "join", "button_click"]:
            res[f"decode {name}"] = await inbound(name)
        res["encode message_down"] = await outbound()
        floor = []
        ls = lines("message_up")
        for _ in range(runs):
            t0 = time.process_time()
            for i in range(n):
                json.loads(ls[i % len(ls)])
            floor.append((time.process_time() - t0) / n * 1e6)
        res["json.loads message_up"] = statistics.median(floor)
        return res

    print(json.dumps(asyncio.run(run())))


if __name__ == "__main__":
    main()
