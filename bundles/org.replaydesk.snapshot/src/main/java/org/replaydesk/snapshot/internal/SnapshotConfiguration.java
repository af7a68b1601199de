package org.replaydesk.snapshot.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "ReplayDesk snapshotter", description = "Snapshots of recording VMs: after boot, "
        + "periodically and on request; a bounded number per VM, exported into the pager's chunk store")
@interface SnapshotConfiguration {

    @AttributeDefinition(description = "Take a BOOT snapshot once a recording VM's guest reports ready (waited for up "
            + "to 180 s after it runs)")
    boolean boot_snapshot() default true;

    @AttributeDefinition(description = "Seconds between PERIODIC snapshots of every running recorder; 0 turns them "
            + "off")
    long period_seconds() default 300;

    @AttributeDefinition(description = "Snapshots kept per VM (at least 1); older ones are deleted from the VM's "
            + "image, the chunk store and the catalog")
    int keep() default 3;

    @AttributeDefinition(description = "qemu-img program, used to find a snapshot image's backing file")
    String qemu_img_binary() default "qemu-img";
}
