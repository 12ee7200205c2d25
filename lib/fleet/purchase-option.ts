import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CapacityBlockOptions, validCapacityBlock } from './capacity-block';

/** How a fleet's instances are bought. Use the static factories. */
export class PurchaseOption {
  /** Regular on-demand capacity, placed in the network's cluster placement group. */
  public static onDemand(): PurchaseOption {
    return new PurchaseOption('on-demand');
  }

  /**
   * A Capacity Block for ML: a targeted Capacity Reservation in one Availability Zone for a fixed
   * time. The instances launch with the `capacity-block` market type and no placement group; put
   * the network's subnet in the block's zone. The group runs none outside the block and the
   * block's `instanceCount` inside it, by one-time scheduled actions at its start and before its
   * end (EC2 terminates a block's instances 30 minutes before it ends).
   */
  public static capacityBlock(block: CapacityBlockOptions): PurchaseOption {
    const reservationId = validReservationId('capacityBlock', block?.reservationId);
    return new PurchaseOption('capacity-block', reservationId, validCapacityBlock(block));
  }

  /**
   * A targeted On-Demand Capacity Reservation: instances launch into it at on-demand prices.
   * @param reservationId the Capacity Reservation id (`cr-...`)
   */
  public static capacityReservation(reservationId: string): PurchaseOption {
    return new PurchaseOption('capacity-reservation', validReservationId('capacityReservation', reservationId));
  }

  private constructor(
    /** `on-demand`, `capacity-block` or `capacity-reservation`. */
    public readonly kind: string,
    /** The Capacity Reservation the instances launch into, when there is one. */
    public readonly reservationId?: string,
    /** The Capacity Block's window and size, for `PurchaseOption.capacityBlock`. */
    public readonly capacityBlockOptions?: CapacityBlockOptions,
  ) {}

  /** A Capacity Block brings its own placement; a cluster placement group is not used with one. */
  public get usesPlacementGroup(): boolean {
    return this.kind !== 'capacity-block';
  }

  /**
   * The launch-template fields this option sets (market options, capacity reservation), for the
   * fleet to spread into its launch template data.
   *
   * @internal
   */
  public _renderLaunchTemplateData(): Partial<ec2.CfnLaunchTemplate.LaunchTemplateDataProperty> {
    if (!this.reservationId) return {};
    return {
      ...(this.kind === 'capacity-block' ? { instanceMarketOptions: { marketType: 'capacity-block' } } : {}),
      capacityReservationSpecification: { capacityReservationTarget: { capacityReservationId: this.reservationId } },
    };
  }
}

const RESERVATION_ID = /^cr-[0-9a-f]{8,17}$/;

function validReservationId(factory: string, reservationId: string | undefined): string {
  const what = factory === 'capacityBlock' ? 'a Capacity Block' : 'a Capacity Reservation';
  if (!reservationId) {
    throw new Error(
      `PurchaseOption.${factory}: ${what} needs its Capacity Reservation id, got '${reservationId ?? ''}'. ` +
        'Give the id (cr- followed by hex digits, e.g. cr-0123456789abcdef0) from `aws ec2 describe-capacity-reservations`, ' +
        'or use PurchaseOption.onDemand().',
    );
  }
  if (Token.isUnresolved(reservationId)) return reservationId;
  if (!RESERVATION_ID.test(reservationId)) {
    throw new Error(
      `PurchaseOption.${factory}: '${reservationId ?? ''}' is not a Capacity Reservation id. ` +
        `Give the reservation's id (cr- followed by hex digits, e.g. cr-0123456789abcdef0), as listed by ` +
        '`aws ec2 describe-capacity-reservations`; without a reservation use PurchaseOption.onDemand().',
    );
  }
  return reservationId;
}
