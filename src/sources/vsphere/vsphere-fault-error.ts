// A SOAP fault from a vSphere endpoint (soapenv:Fault), typed by the fault's name in its detail,
// e.g. NotAuthenticated, InvalidLogin, NoPermission, ManagedObjectNotFound.
export class VsphereFaultError extends Error {
  override readonly name = 'VsphereFaultError';
  constructor(
    /** The fault type without its "Fault" suffix, e.g. "NotAuthenticated"; "Unknown" when the detail names none. */
    readonly fault: string,
    /** faultstring as the server wrote it. */
    readonly faultString: string,
    /** For NoPermission: the privilege the server asked for. */
    readonly privilegeId: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(
      `${fault}${privilegeId ? ` (needs privilege ${privilegeId})` : ''}${faultString ? `: ${faultString}` : ''}`,
      options,
    );
  }
}

export function isVsphereFaultError(e: unknown): e is VsphereFaultError {
  return e instanceof VsphereFaultError;
}
