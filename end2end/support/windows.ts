// The window lengths of the "short" server, shared by its set-up and the tests that wait on them.
export const SHORT_WINDOWS = {
  startWindowSeconds: 12,
  durationSeconds: 20,
};
