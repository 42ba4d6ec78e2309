/**
 * The audio sinks: subscribers' data channels, the local player, a WAV file.
 */
import { FLAG_CANCELLED, FLAG_END, encodeFrame } from "./frames.js";
import type { Player } from "./player.js";
import type { AudioSink, Speech, SpeechResult } from "./speaker.js";
import type { WavFileWriter } from "./wav.js";

/** Sends every frame to every subscriber with a data channel, then an empty end frame. */
export function dataChannelSink(broadcastData: (payload: Uint8Array) => void): AudioSink {
  return {
    frame(speech: Speech, seq: number, pcm: Buffer, sampleRate: number): void {
      broadcastData(encodeFrame(speech.id, seq, sampleRate, pcm));
    },
    end(speech: Speech, seq: number, result: SpeechResult, sampleRate: number): void {
      const flags = FLAG_END | (result.cancelled ? FLAG_CANCELLED : 0);
      broadcastData(encodeFrame(speech.id, seq, sampleRate, Buffer.alloc(0), flags));
    },
  };
}

/** Plays frames on the local audio device. */
export function playerSink(player: Player): AudioSink {
  return {
    frame(_speech: Speech, _seq: number, pcm: Buffer, sampleRate: number): void {
      player.write(pcm, sampleRate);
    },
    silence(): void {
      player.stop();
    },
  };
}

/** Appends frames to a WAV file, completing its header after every speech. */
export function wavSink(wav: WavFileWriter, onError: (message: string) => void): AudioSink {
  return {
    frame(_speech: Speech, _seq: number, pcm: Buffer): void {
      wav.write(pcm);
    },
    end(): void {
      wav
        .sync()
        .catch((err: unknown) => onError(`cannot write ${wav.path}: ${(err as Error).message}`));
    },
  };
}
