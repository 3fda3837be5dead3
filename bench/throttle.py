"""A throttling TCP proxy on 127.0.0.1: a weak mobile signal, for the page and its service worker.

Chromium's own throttling applies to the page but not to requests its service worker makes, so
the benchmark puts this between the browser and the server instead: every byte waits for half
the round-trip time and shares a fixed bandwidth in each direction.
"""

import asyncio
import threading
import time

CHUNK = 4096


class Link:
    """One direction of the link: a shared bandwidth and a one-way delay. Bytes are in flight
    together, as on a real link: each chunk leaves once the link has sent what was queued before it
    and arrives the delay later, while the next chunk is already on its way. (Waiting for each chunk
    to arrive before reading the next made the delay count once per 4 KB: a 28 KB answer took
    1.7 s on a link that carries it in 0.6 s.)"""

    def __init__(self, bits_per_second, delay):
        self.bytes_per_second = bits_per_second / 8
        self.delay = delay
        self.free_at = 0.0  # when the link has sent everything queued so far, on every connection

    async def carry(self, reader, writer):
        in_flight = asyncio.Queue()
        delivering = asyncio.ensure_future(self.deliver(in_flight, writer))
        try:
            while data := await reader.read(CHUNK):
                self.free_at = max(time.monotonic(), self.free_at) + len(data) / self.bytes_per_second
                in_flight.put_nowait((self.free_at + self.delay, data))
        except ConnectionError:
            pass
        finally:
            in_flight.put_nowait(None)
            await delivering

    @staticmethod
    async def deliver(in_flight, writer):
        try:
            while (chunk := await in_flight.get()) is not None:
                arrive, data = chunk
                await asyncio.sleep(max(0.0, arrive - time.monotonic()))
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


class ThrottlingProxy:
    """Forwards 127.0.0.1:<port> to the target port through an up and a down Link."""

    def __init__(self, target_port, bits_per_second=400_000, round_trip=0.4):
        self.target_port = target_port
        self.up = None
        self.down = None
        self.settings = (bits_per_second, round_trip / 2)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait()

    async def _handle(self, client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(
            self.up.carry(client_reader, server_writer), self.down.carry(server_reader, client_writer)
        )

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.up, self.down = Link(*self.settings), Link(*self.settings)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
