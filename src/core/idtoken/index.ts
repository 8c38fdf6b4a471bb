/** Test Google ID tokens (throwaway key + JWKS) for sending as Dialogflow and probing ID-token servers. */
export { encodeJwt, type JwtClaims, type JwtSigner } from './jwt';
export {
  createTestIdTokenIssuer,
  dialogflowClaims,
  dialogflowTestIdToken,
  idTokenServerEnv,
  testServiceAgentEmail,
  type DialogflowTestIdToken,
  type Jwks,
  type TestIdTokenIssuer,
  type TestTokenClaims,
} from './testIdToken';
export { writeJwks } from './writeJwks';
