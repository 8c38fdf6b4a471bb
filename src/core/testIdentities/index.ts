/** Client identities made to knock on a server: throwaway certificates and the Dialogflow-shaped TEST chain. */
export { dialogflowLikeClient, type DialogflowLikeClient } from './dialogflowLikeClient';
export { reusedDialogflowClient, testChainCacheDir } from './reusedDialogflowClient';
export { type Issuer, type CertAndKey } from './throwawayCerts';
