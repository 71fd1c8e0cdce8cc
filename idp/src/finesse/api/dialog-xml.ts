import { dialogState, dialogUri, isoTime, PARTICIPANT_ACTIONS, type Dialog, type Participant } from './model.js';
import { leaf, node } from './xml-writer.js';

/**
 * A participant (reference A.2.5): `actions` are what its state allows (the p.126 table), an
 * agent's phone is an AGENT_DEVICE and a caller's number has no type.
 */
function participantXml(p: Participant): string {
  return node('Participant', [
    // Only a lab agent can act on its leg; a caller's number lists no actions.
    node('actions', p.loginId ? PARTICIPANT_ACTIONS[p.state].map((a) => leaf('action', a)) : []),
    leaf('mediaAddress', p.mediaAddress),
    leaf('mediaAddressType', p.loginId ? 'AGENT_DEVICE' : ''),
    leaf('startTime', isoTime(p.startTime)),
    leaf('state', p.state),
    leaf('stateCause', p.stateCause),
    leaf('stateChangeTime', isoTime(p.stateChangeTime)),
  ]);
}

/**
 * The `<Dialog>` object (reference A.2.5), elements in the order of Cisco's examples; in
 * `mediaProperties` DNIS, callType, dialedNumber come first as in the Dev Guide's Dialog samples.
 */
export function dialogXml(d: Dialog): string {
  return node('Dialog', [
    leaf('associatedDialogUri', d.associatedDialogId ? dialogUri(d.associatedDialogId) : ''),
    leaf('fromAddress', d.fromAddress),
    leaf('id', d.id),
    node('mediaProperties', [
      leaf('DNIS', d.dnis),
      leaf('callType', d.callType),
      leaf('dialedNumber', d.dialedNumber),
      leaf('outboundClassification', ''),
      leaf('wrapUpReason', d.wrapUpReason),
      node(
        'callvariables',
        d.callVariables.map((v) => node('CallVariable', [leaf('name', v.name), leaf('value', v.value)])),
      ),
    ]),
    leaf('mediaType', 'Voice'),
    node('participants', d.participants.map(participantXml)),
    leaf('state', dialogState(d)),
    leaf('toAddress', d.toAddress),
    leaf('uri', dialogUri(d.id)),
  ]);
}

/** `GET /User/<id>/Dialogs`: `<Dialogs><Dialog>…</Dialog>…</Dialogs>`. */
export function dialogsXml(list: readonly Dialog[]): string {
  return node('Dialogs', list.map(dialogXml));
}
