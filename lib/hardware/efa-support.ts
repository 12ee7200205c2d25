/**
 * Whether and which generation of Elastic Fabric Adapter an instance type offers.
 * An enum-like class (CDK convention) rather than a string union, so callers can ask `supported`.
 */
export class EfaSupport {
  /** No EFA: the instance can only use ENA (TCP/IP) networking. */
  public static readonly NONE = new EfaSupport(0);
  /** EFA v2 (Trn1, Trn1n). */
  public static readonly V2 = new EfaSupport(2);
  /** EFA v3 (Trn2, Trn2u). */
  public static readonly V3 = new EfaSupport(3);

  private constructor(
    /** EFA generation; 0 when EFA is not supported. */
    public readonly version: number,
  ) {}

  /** True when the type can attach EFA interfaces. */
  public get supported(): boolean {
    return this.version > 0;
  }

  public toString(): string {
    return this.supported ? `EFA v${this.version}` : 'no EFA';
  }
}
