import type { ExplanationAction } from '../../../core/http';
import { Commands } from '../../ids';
import type { ErrorAction } from '../../platform/notify';

/** The button a TLS explanation offers, as a command. */
export function explanationAction(action: ExplanationAction | undefined): ErrorAction | undefined {
  switch (action) {
    case 'startServer':
      return { title: 'Start Server', command: Commands.startServer };
    case 'pickCa':
    case 'createTrustBundle':
      return { title: 'Create Trust Bundle', command: Commands.createTrustBundle };
    case 'regenerateWithSan':
      return { title: 'Regenerate Certificates', command: Commands.generateChain };
    case 'generateClient':
      return { title: 'Generate Client Certificate', command: Commands.generateClient };
    case 'checkPassphrase':
    case 'checkKeyPair':
      return { title: 'Decode Certificate', command: Commands.decodeCertificate };
    default:
      return undefined;
  }
}
