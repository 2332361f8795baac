/**
 * Test helpers of the sandbox (`@specline/sandbox/testing`): fake model servers that speak
 * Anthropic's Messages API and OpenAI's Chat Completions over real HTTP, scripted per test or
 * playing a plausible agent (`auto`).
 */
export { startFakeLlm } from './fakeLlm/server';
export { fakeError } from './fakeLlm/errors';
export { autoTurn, AUTO_PHASES } from './fakeLlm/auto/agent';
export { readAnthropicRequest, readOpenAiRequest } from './fakeLlm/request';
export type { RequestView, ToolExchange } from './fakeLlm/request';
export type {
  FakeDelayTurn,
  FakeDropTurn,
  FakeError,
  FakeErrorPreset,
  FakeErrorTurn,
  FakeFinalRawTurn,
  FakeFinalTurn,
  FakeLlm,
  FakeLlmLogEntry,
  FakeLlmOptions,
  FakeProvider,
  FakeScript,
  FakeTextTurn,
  FakeToolCall,
  FakeToolCallsTurn,
  FakeTurn,
  FakeUsage,
  FinalChannel,
  RecordedRequest,
  TurnKind,
} from './fakeLlm/types';
