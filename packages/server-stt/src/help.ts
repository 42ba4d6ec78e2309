/**
 * The text `get_help` serves.
 */

/** Help for the `stt` tool. */
export const HELP = `# stt

Speech to text. Live audio from the microphone (parec, arecord or sox) or streamed by clients
on the binary data channel is cut into utterances by a WebRTC VAD and transcribed.

Commands:
- start / pause: open / close the microphone (and accept / ignore data-channel audio).
- list_devices -> {"event":"devices","devices":[{index,name,channels}]}
- get_device -> {"event":"device","device":index|null,"name":...}
- set_device {device: index | name substring | null} -> device event, or error
  "no input device matching '<v>'".
- transcribe {path}: one WAV file -> {"event":"transcript","text":...,"words":[...],"duration":s}
- audio_format {rate, channels, encoding}: the format of your data-channel audio
  (default 16000 Hz, 1 channel, s16le).
- end_audio: finish your utterance in progress now (an empty data frame does the same, in order).
- get_stats -> {"event":"stats","data_bytes","ignored_bytes","utterances","sources"}

Broadcasts: speech_start {source,time}; token {source,text}; speech {source,text,words?};
speech_end {source,text,words?,reason,decode_ms,end_delay_ms}; stt_error {source,message,code};
state_changed: loading, listening, transcribing, paused, error.

Examples:
  cpipe stt transcribe -j '{"path":"hello.wav"}'
  cpipe stt list_devices
`;
