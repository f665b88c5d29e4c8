<?xml version="1.0" encoding="UTF-8"?>
<!--
  SEXPR (codec tree) -> Xen XML.

  Input: the codec tree of one xend S-expression, <sexpr><l><a>domain</a>...</l></sexpr>, from
  `xm create -n` (vm ...) or `xm list -l` / config.sxp (domain ...). Output: Xen XML, the hub.
  The meaning of each field is libvirt's reader xenParseSxpr (libvirt <= 5.5,
  src/xenconfig/xen_sxpr.c); docs/mapping.md documents every rule and the xen: vocabulary.

  Two passes.
  1. The mapping templates (mode "domain" and below) build the result and, for every SXP item
     they use, leave a <c:claim ref="ID"/> marker (ID = generate-id of the item). Where the
     items of an SXP context (a list) that nobody used belong, they leave <c:carry
     list="KV" n="N" table="NAME"/>: the list is the Nth of key('kv', KV) (KV = the id of its
     parent, '|', its first atom).
  2. Mode "p2" copies the result without the markers. At each c:carry, the unclaimed items of
     that list become <xen:KEY> elements when their key is in the table (the vocabulary, below),
     and <xen:sxp> (the items as they are) otherwise. So nothing is dropped, and the decision of
     what is kept lives in one place.

  Parameter xend-version: libvirt's xendConfigVersion (1 = xend 3.0.2, 2 = 3.0.3, 3 = 3.0.4,
  4 = 3.1.0); empty = the newest libvirt behaviour.

  XSLT 1.0 with EXSLT (exsl:node-set, str:tokenize, set:difference); runs unchanged under
  xsltproc.

  Speed: every XPath evaluation costs libxml2 about half a microsecond, so the templates keep
  them few: a for-each over the one item found rather than a variable and a test, no second
  reading of the same value (docs/benchmarks.md, "SEXPR -> core"). One idiom stands for a choice
  between two words: substring('fileblock', 1 + 4 * B, 4 + B) is 'file', or 'block' when B is
  true.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xen="urn:xlate:xen:1"
    xmlns:exsl="http://exslt.org/common"
    xmlns:str="http://exslt.org/strings"
    xmlns:set="http://exslt.org/sets"
    xmlns:c="urn:xlate:internal:claims"
    exclude-result-prefixes="exsl str set c">

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="xend-version" select="''"/>

  <!-- 99 stands for "newest". -->
  <xsl:variable name="ver">
    <xsl:choose>
      <xsl:when test="string(number($xend-version)) != 'NaN'">
        <xsl:value-of select="number($xend-version)"/>
      </xsl:when>
      <xsl:otherwise>99</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <!-- ================================================================== -->
  <!-- The vocabulary: SXP keys kept as named xen: elements, per context.  -->
  <!--   t="text": (KEY value), any atom or string                        -->
  <!--   t="int":  (KEY N), N an unsigned decimal integer below 2^32       -->
  <!--   t="dict": (KEY ((k v) ...)): one xen:k child per pair             -->
  <!--   t="pairs": (KEY (k v) ...): likewise, the pairs are the items     -->
  <!--   t="enum":  (KEY value), value one of the words in v               -->
  <!-- Contexts: domain, os, disk, interface, graphics, hostdev, pci,      -->
  <!-- controller, vkbd, console, ioports, vtpm, vscsi, vscsi-dev.         -->
  <!-- docs/mapping.md lists the same rows (a test checks).                -->
  <!--                                                                    -->
  <!-- The mapping reads the table as one string, the parameter           -->
  <!-- "vocabulary": '#CONTEXT|KEY=TYPE|KEY=TYPE|...|#CONTEXT|...|#', an   -->
  <!-- enum's TYPE being 'enum V1 V2 ...' (so the rows of a context stay   -->
  <!-- together). xlate builds it once per process and passes it in        -->
  <!-- (xlate/formats/sexpr.py); without it (xsltproc) every run builds   -->
  <!-- it here, which costs more than the whole mapping.                  -->
  <!-- ================================================================== -->
  <xsl:param name="vocabulary">
    <xsl:variable name="vocabulary-rtf">
      <!-- domain: base vocabulary (docs/architecture.md) -->
      <k c="domain" n="cpu_weight" t="int" d="credit scheduler weight"/>
      <k c="domain" n="cpu_cap" t="int" d="credit scheduler cap, percent of one CPU (0 = none)"/>
      <k c="domain" n="shadow_memory" t="int" d="shadow page table memory, MiB"/>
      <k c="domain" n="device_model_version" t="enum" v="qemu-xen qemu-xen-traditional" d="device model generation (xl)"/>
      <!-- domain: xend configuration -->
      <k c="domain" n="cpu" t="text" d="physical CPU the domain starts on (xm's cpu)"/>
      <k c="domain" n="features" t="text" d="PV kernel features string, e.g. 'auto_translated_physmap'"/>
      <k c="domain" n="on_xend_start" t="text" d="action when xend starts: ignore, start"/>
      <k c="domain" n="on_xend_stop" t="text" d="action when xend stops: ignore, shutdown, suspend"/>
      <k c="domain" n="restart" t="text" d="deprecated restart policy: onreboot, always, never"/>
      <k c="domain" n="localtime" t="text" d="top-level localtime when the image's one decides the clock"/>
      <k c="domain" n="bootloader" t="text" d="bootloader of an HVM guest (libvirt ignores it)"/>
      <k c="domain" n="bootloader_args" t="text" d="bootloader arguments without a PV bootloader"/>
      <k c="domain" n="memory" t="text" d="current memory (MiB) when above maxmem, as written"/>
      <k c="domain" n="vcpu_avail" t="text" d="vCPU availability mask that is not the lowest N bits"/>
      <k c="domain" n="target" t="text" d="domain the device model serves (stub domains)"/>
      <k c="domain" n="tsc_mode" t="text" d="TSC mode"/>
      <k c="domain" n="nomigrate" t="text" d="1 = the domain may not migrate"/>
      <k c="domain" n="machine_address_size" t="text" d="maximum machine address size, bits"/>
      <k c="domain" n="suppress_spurious_page_faults" t="text" d="do not inject spurious page faults"/>
      <k c="domain" n="s3_integrity" t="text" d="verify memory integrity across S3 (tboot)"/>
      <k c="domain" n="oos" t="text" d="out-of-sync shadow page tables"/>
      <k c="domain" n="pool_name" t="text" d="CPU pool"/>
      <k c="domain" n="security_label" t="text" d="ACM security label"/>
      <k c="domain" n="change_home_server" t="text" d="xend cluster home-server flag"/>
      <!-- domain: runtime state (xm list -l) -->
      <k c="domain" n="status" t="text" d="xend domain status number"/>
      <k c="domain" n="state" t="text" d="run state flags (r, b, p, s, c, d or -)"/>
      <k c="domain" n="shutdown_reason" t="text" d="why the domain last shut down"/>
      <k c="domain" n="cpu_time" t="text" d="CPU time used, seconds"/>
      <k c="domain" n="up_time" t="text" d="seconds since start"/>
      <k c="domain" n="start_time" t="text" d="start time, seconds since the epoch"/>
      <k c="domain" n="online_vcpus" t="text" d="vCPUs currently online"/>
      <k c="domain" n="store_mfn" t="text" d="machine frame of the xenstore ring"/>
      <k c="domain" n="console_mfn" t="text" d="machine frame of the console ring"/>
      <k c="domain" n="ssidref" t="text" d="security identifier"/>
      <!-- domain: Xen-API keys (config.sxp) -->
      <k c="domain" n="name_label" t="text" d="Xen-API name"/>
      <k c="domain" n="name_description" t="text" d="Xen-API description"/>
      <k c="domain" n="user_version" t="text" d="Xen-API user version"/>
      <k c="domain" n="is_a_template" t="text" d="Xen-API template flag"/>
      <k c="domain" n="auto_power_on" t="text" d="Xen-API auto power on"/>
      <k c="domain" n="resident_on" t="text" d="Xen-API host reference"/>
      <k c="domain" n="power_state" t="text" d="Xen-API power state"/>
      <k c="domain" n="memory_static_min" t="text" d="Xen-API memory bound"/>
      <k c="domain" n="memory_static_max" t="text" d="Xen-API memory bound"/>
      <k c="domain" n="memory_dynamic_min" t="text" d="Xen-API memory bound"/>
      <k c="domain" n="memory_dynamic_max" t="text" d="Xen-API memory bound"/>
      <k c="domain" n="vcpus_policy" t="text" d="Xen-API vCPU policy"/>
      <k c="domain" n="VCPUs_max" t="text" d="Xen-API maximum vCPUs"/>
      <k c="domain" n="VCPUs_live" t="text" d="Xen-API live vCPUs"/>
      <k c="domain" n="VCPUs_at_startup" t="text" d="Xen-API vCPUs at startup"/>
      <k c="domain" n="actions_after_shutdown" t="text" d="Xen-API on_poweroff"/>
      <k c="domain" n="actions_after_reboot" t="text" d="Xen-API on_reboot"/>
      <k c="domain" n="actions_after_suspend" t="text" d="Xen-API action after suspend"/>
      <k c="domain" n="actions_after_crash" t="text" d="Xen-API on_crash"/>
      <k c="domain" n="PV_bootloader" t="text" d="Xen-API bootloader"/>
      <k c="domain" n="PV_kernel" t="text" d="Xen-API kernel"/>
      <k c="domain" n="PV_ramdisk" t="text" d="Xen-API ramdisk"/>
      <k c="domain" n="PV_args" t="text" d="Xen-API kernel arguments"/>
      <k c="domain" n="PV_bootloader_args" t="text" d="Xen-API bootloader arguments"/>
      <k c="domain" n="HVM_boot_policy" t="text" d="Xen-API HVM boot policy"/>
      <k c="domain" n="PCI_bus" t="text" d="Xen-API PCI bus"/>
      <k c="domain" n="vcpus_params" t="dict" d="Xen-API scheduler parameters (weight, cap, cpumap...)"/>
      <k c="domain" n="platform" t="dict" d="Xen-API platform settings (acpi, apic, ...)"/>
      <k c="domain" n="other_config" t="dict" d="Xen-API free-form settings"/>
      <k c="domain" n="HVM_boot_params" t="dict" d="Xen-API HVM boot parameters (order)"/>
      <k c="domain" n="tools_version" t="dict" d="Xen-API tools version"/>

      <!-- os: (image (linux|hvm ...)) keys not expressed by core -->
      <k c="os" n="kernel" t="text" d="kernel that core cannot take (empty, Domain-0, ...)"/>
      <k c="os" n="loader" t="text" d="loader of a PV image"/>
      <k c="os" n="ramdisk" t="text" d="ramdisk that core cannot take"/>
      <k c="os" n="args" t="text" d="kernel arguments that core cannot take"/>
      <k c="os" n="root" t="text" d="root device that core cannot take"/>
      <k c="os" n="ip" t="text" d="kernel IP configuration (xm's ip/dhcp options)"/>
      <k c="os" n="boot" t="text" d="HVM boot order as written, when core cannot say it"/>
      <k c="os" n="vcpus" t="text" d="vCPUs of the image when not the top-level value"/>
      <k c="os" n="vcpu_avail" t="text" d="vCPU mask of the image when not the top-level value"/>
      <k c="os" n="cdrom" t="text" d="xend 3.0.2 CD-ROM image when hdc is already used"/>
      <k c="os" n="fda" t="text" d="floppy image that core cannot take"/>
      <k c="os" n="fdb" t="text" d="floppy image that core cannot take"/>
      <k c="os" n="device_model" t="text" d="device model that core cannot take"/>
      <k c="os" n="acpi" t="text" d="ACPI switch when not 1"/>
      <k c="os" n="apic" t="text" d="APIC switch when not 1"/>
      <k c="os" n="pae" t="text" d="PAE switch when not 1, or on a PV image"/>
      <k c="os" n="hap" t="text" d="HAP switch when not 0 or 1"/>
      <k c="os" n="viridian" t="text" d="Viridian switch when not 1"/>
      <k c="os" n="hpet" t="text" d="HPET switch when not 0 or 1"/>
      <k c="os" n="localtime" t="text" d="image localtime when not 0 or 1"/>
      <k c="os" n="rtc_timeoffset" t="text" d="RTC offset, seconds, when core cannot take it"/>
      <k c="os" n="usb" t="text" d="emulated USB controller switch"/>
      <k c="os" n="usbdevice" t="text" d="USB device other than tablet, mouse, keyboard"/>
      <k c="os" n="serial" t="text" d="serial port string core cannot reproduce"/>
      <k c="os" n="parallel" t="text" d="parallel port string core cannot reproduce"/>
      <k c="os" n="soundhw" t="text" d="sound cards as written ('all', unknown models)"/>
      <k c="os" n="stdvga" t="text" d="standard VGA switch when not 0 or 1"/>
      <k c="os" n="isa" t="text" d="ISA-only machine"/>
      <k c="os" n="nographic" t="text" d="no graphics in the device model"/>
      <k c="os" n="vnc" t="text" d="VNC switch that gives no graphics"/>
      <k c="os" n="vncunused" t="text" d="VNC autoport switch not used for graphics"/>
      <k c="os" n="vncdisplay" t="text" d="VNC display not used for graphics"/>
      <k c="os" n="vnclisten" t="text" d="VNC listen address not used for graphics"/>
      <k c="os" n="vncpasswd" t="text" d="VNC password not used for graphics"/>
      <k c="os" n="vncconsole" t="text" d="start a VNC viewer"/>
      <k c="os" n="keymap" t="text" d="keymap not used for graphics"/>
      <k c="os" n="sdl" t="text" d="SDL switch that gives no graphics"/>
      <k c="os" n="display" t="text" d="X11 display not used for graphics"/>
      <k c="os" n="xauthority" t="text" d="X11 authority file not used for graphics"/>
      <k c="os" n="opengl" t="text" d="OpenGL for SDL"/>
      <k c="os" n="monitor" t="text" d="device model monitor"/>
      <k c="os" n="videoram" t="text" d="video memory, MiB"/>
      <k c="os" n="guest_os_type" t="text" d="guest OS type hint"/>
      <k c="os" n="timer_mode" t="text" d="HVM timer mode"/>
      <k c="os" n="vpt_align" t="text" d="align virtual platform timers"/>
      <k c="os" n="xen_platform_pci" t="text" d="Xen platform PCI device"/>
      <k c="os" n="pci_msitranslate" t="text" d="PCI MSI-INTx translation"/>
      <k c="os" n="pci_power_mgmt" t="text" d="PCI power management"/>
      <k c="os" n="xen_extended_power_mgmt" t="text" d="extended power management"/>
      <k c="os" n="gfx_passthru" t="text" d="graphics card pass-through"/>
      <k c="os" n="superpages" t="text" d="build the domain with superpages"/>
      <k c="os" n="tsc_mode" t="text" d="TSC mode"/>
      <k c="os" n="nomigrate" t="text" d="1 = the domain may not migrate"/>
      <k c="os" n="s3_integrity" t="text" d="verify memory integrity across S3"/>
      <k c="os" n="vhpt" t="text" d="IA64 VHPT size"/>
      <k c="os" n="machine_address_size" t="text" d="maximum machine address size, bits"/>
      <k c="os" n="suppress_spurious_page_faults" t="text" d="do not inject spurious page faults"/>
      <k c="os" n="oos" t="text" d="out-of-sync shadow page tables"/>
      <k c="os" n="expose_host_uuid" t="text" d="expose the host UUID to the guest"/>
      <k c="os" n="acpi_s3" t="text" d="ACPI S3 state"/>
      <k c="os" n="acpi_s4" t="text" d="ACPI S4 state"/>
      <k c="os" n="notes" t="pairs" d="ELF notes of the guest kernel (xm list -l)"/>

      <!-- disk: vbd, tap, tap2 -->
      <k c="disk" n="backend" t="text" d="driver domain"/>
      <k c="disk" n="uuid" t="text" d="xend device UUID"/>
      <k c="disk" n="bootable" t="text" d="xend's bootable flag"/>
      <k c="disk" n="protocol" t="text" d="guest ring protocol, e.g. x86_32-abi"/>
      <k c="disk" n="VDI" t="text" d="Xen-API VDI reference"/>
      <k c="disk" n="driver" t="text" d="xend's driver note: paravirtualised, ioemu"/>
      <k c="disk" n="type" t="text" d="Xen-API VBD type: Disk, CD"/>
      <k c="disk" n="mode" t="text" d="access mode other than r, w, w!"/>
      <k c="disk" n="uname" t="text" d="uname that core cannot take (e.g. empty)"/>

      <!-- interface: vif -->
      <k c="interface" n="backend" t="text" d="driver domain"/>
      <k c="interface" n="uuid" t="text" d="xend device UUID"/>
      <k c="interface" n="type" t="text" d="ioemu, or netfront with a model"/>
      <k c="interface" n="rate" t="text" d="rate limit as written, with an @interval"/>
      <k c="interface" n="accel" t="text" d="netchannel2 accelerator plugin"/>
      <k c="interface" n="policy" t="text" d="ACM policy"/>
      <k c="interface" n="label" t="text" d="ACM label"/>
      <k c="interface" n="security_label" t="text" d="ACM security label"/>
      <k c="interface" n="mac" t="text" d="MAC address that is not one"/>
      <k c="interface" n="ip" t="text" d="IP configuration that core cannot take"/>

      <!-- graphics: vfb -->
      <k c="graphics" n="backend" t="text" d="driver domain"/>
      <k c="graphics" n="uuid" t="text" d="xend device UUID"/>
      <k c="graphics" n="location" t="text" d="live VNC address host:port"/>
      <k c="graphics" n="display" t="text" d="X11 display of a VNC framebuffer"/>
      <k c="graphics" n="xauthority" t="text" d="X11 authority of a VNC framebuffer"/>
      <k c="graphics" n="keymap" t="text" d="keymap of an SDL framebuffer"/>
      <k c="graphics" n="vnc" t="text" d="VNC switch when not 1"/>
      <k c="graphics" n="sdl" t="text" d="SDL switch when not 1"/>
      <k c="graphics" n="vncunused" t="text" d="autoport switch when not 0 or 1"/>
      <k c="graphics" n="vncdisplay" t="text" d="VNC display when core cannot take it"/>
      <k c="graphics" n="vnclisten" t="text" d="listen address of an SDL framebuffer"/>
      <k c="graphics" n="vncpasswd" t="text" d="password of an SDL framebuffer"/>
      <k c="graphics" n="opengl" t="text" d="OpenGL for SDL"/>
      <k c="graphics" n="videoram" t="text" d="framebuffer memory, MiB"/>
      <k c="graphics" n="serial" t="text" d="device model serial option"/>
      <k c="graphics" n="monitor" t="text" d="device model monitor option"/>
      <k c="graphics" n="vncconsole" t="text" d="start a VNC viewer"/>

      <!-- hostdev: one (dev ...) of a pci device -->
      <k c="hostdev" n="key" t="text" d="xend's device key, DDDD:BB:SS.F"/>
      <k c="hostdev" n="uuid" t="text" d="xend device UUID"/>
      <k c="hostdev" n="state" t="text" d="xenbus state of the function"/>
      <k c="hostdev" n="vslot" t="text" d="guest slot (older xend)"/>
      <k c="hostdev" n="vdevfn" t="text" d="guest devfn, when not an address (e.g. 0x100 = any)"/>
      <k c="hostdev" n="requested_vslot" t="text" d="requested guest slot"/>
      <!-- pci: the (device (pci ...)) item outside its dev lists -->
      <k c="pci" n="backend" t="text" d="driver domain"/>
      <k c="pci" n="uuid" t="text" d="xend device UUID"/>
      <k c="pci" n="state" t="text" d="xenbus state"/>
      <!-- controller: vusb -->
      <k c="controller" n="backend" t="text" d="driver domain"/>
      <k c="controller" n="uuid" t="text" d="xend device UUID"/>
      <k c="controller" n="usb-ver" t="text" d="USB version other than 1 or 2"/>
      <k c="controller" n="num-ports" t="text" d="port count that is not a number"/>
      <!-- device classes without a core element -->
      <k c="vkbd" n="backend" t="text" d="driver domain"/>
      <k c="vkbd" n="uuid" t="text" d="xend device UUID"/>
      <k c="console" n="protocol" t="text" d="console protocol, e.g. vt100"/>
      <k c="console" n="location" t="text" d="console location (port or tty)"/>
      <k c="console" n="uuid" t="text" d="xend device UUID"/>
      <k c="console" n="backend" t="text" d="driver domain"/>
      <k c="ioports" n="from" t="text" d="first I/O port (hex)"/>
      <k c="ioports" n="to" t="text" d="last I/O port (hex)"/>
      <k c="ioports" n="uuid" t="text" d="xend device UUID"/>
      <k c="vtpm" n="instance" t="text" d="vTPM instance"/>
      <k c="vtpm" n="pref_instance" t="text" d="preferred vTPM instance"/>
      <k c="vtpm" n="backend" t="text" d="driver domain"/>
      <k c="vtpm" n="type" t="text" d="vTPM type"/>
      <k c="vtpm" n="uuid" t="text" d="xend device UUID"/>
      <k c="vscsi" n="feature-host" t="text" d="1 = whole host assigned"/>
      <k c="vscsi" n="backend" t="text" d="driver domain"/>
      <k c="vscsi" n="uuid" t="text" d="xend device UUID"/>
      <k c="vscsi-dev" n="state" t="text" d="xenbus state"/>
      <k c="vscsi-dev" n="devid" t="text" d="virtual host number"/>
      <k c="vscsi-dev" n="p-dev" t="text" d="physical host:channel:target:lun"/>
      <k c="vscsi-dev" n="p-devname" t="text" d="physical device name, e.g. sdb"/>
      <k c="vscsi-dev" n="v-dev" t="text" d="virtual host:channel:target:lun"/>
      <k c="vscsi-dev" n="frontstate" t="text" d="frontend xenbus state"/>
      <k c="vscsi-dev" n="uuid" t="text" d="xend device UUID"/>
    </xsl:variable>
    <xsl:for-each select="exsl:node-set($vocabulary-rtf)/k">
      <xsl:if test="not(@c = preceding-sibling::k[1]/@c)">
        <xsl:if test="@c = preceding-sibling::k/@c">
          <xsl:message terminate="yes">xlate:error|/|sexpr_to_xen.xsl: the vocabulary rows of <xsl:value-of select="@c"/> are not together</xsl:message>
        </xsl:if>
        <xsl:value-of select="concat('#', @c, '|')"/>
      </xsl:if>
      <xsl:value-of select="concat(@n, '=', @t)"/>
      <xsl:if test="@t = 'enum'">
        <xsl:value-of select="concat(' ', @v)"/>
      </xsl:if>
      <xsl:text>|</xsl:text>
    </xsl:for-each>
    <xsl:text>#</xsl:text>
  </xsl:param>
  <xsl:variable name="vocabulary-table" select="string($vocabulary)"/>

  <!-- ================================================================== -->
  <!-- Keys                                                                -->
  <!-- ================================================================== -->

  <!-- The items of a list by key: key('kv', concat(generate-id(LIST), '|', KEY)). -->
  <xsl:key name="kv" match="l" use="concat(generate-id(..), '|', *[1][not(self::l)])"/>
  <!-- A list by its id: key('by-id', generate-id(LIST)). -->
  <xsl:key name="by-id" match="l" use="generate-id()"/>

  <xsl:variable name="input" select="/"/>

  <!-- ================================================================== -->
  <!-- Entry                                                               -->
  <!-- ================================================================== -->

  <xsl:variable name="top" select="/sexpr/*"/>
  <xsl:variable name="D" select="$top[1][self::l][*[1][not(self::l)] = 'domain' or *[1][not(self::l)] = 'vm']"/>

  <xsl:variable name="pass1-rtf">
    <xsl:apply-templates select="$D" mode="domain"/>
  </xsl:variable>
  <xsl:variable name="pass1" select="exsl:node-set($pass1-rtf)"/>

  <!-- Every claimed item. -->
  <xsl:variable name="claimed" select="key('by-id', $pass1//c:claim/@ref)"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="not(/sexpr)">
        <xsl:message terminate="yes">xlate:error|/|not an S-expression codec tree</xsl:message>
      </xsl:when>
      <xsl:when test="count($top) != 1">
        <xsl:message terminate="yes">xlate:error|/sexpr|the input holds <xsl:value-of select="count($top)"/> top-level items; one (vm ...) or (domain ...) is needed</xsl:message>
      </xsl:when>
      <xsl:when test="not($D)">
        <xsl:message terminate="yes">xlate:error|/sexpr/*[1]|the top-level item is not (vm ...) or (domain ...)</xsl:message>
      </xsl:when>
      <xsl:when test="not(key('kv', concat(generate-id($D), '|name'))[1][count(*) = 2][not(l)])">
        <xsl:message terminate="yes">xlate:error|/sexpr/l[1]|the domain has no (name ...)</xsl:message>
      </xsl:when>
    </xsl:choose>
    <xsl:apply-templates select="$pass1/*" mode="p2"/>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Domain                                                              -->
  <!-- ================================================================== -->

  <xsl:template match="l" mode="domain">
    <xsl:variable name="did" select="generate-id()"/>
    <xsl:variable name="domid-i" select="key('kv', concat($did, '|domid'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="id">
      <xsl:if test="$domid-i and translate($domid-i/*[2], '0123456789', '') = '' and string($domid-i/*[2]) != ''">
        <xsl:value-of select="number($domid-i/*[2])"/>
      </xsl:if>
    </xsl:variable>

    <xsl:variable name="img" select="key('kv', concat($did, '|image'))[1]"/>
    <xsl:variable name="hvm" select="boolean($img/l[*[1][not(self::l)] = 'hvm'])"/>
    <!-- The image list that is mapped: (image (linux|hvm ...)) alone in its item, not Domain-0. -->
    <xsl:variable name="I" select="$img[count(*) = 2][$id != '0']/*[2][self::l]
        [($hvm and *[1][not(self::l)] = 'hvm') or (not($hvm) and *[1][not(self::l)] = 'linux')]"/>
    <xsl:variable name="ik" select="generate-id($I)"/>

    <xsl:variable name="name-i" select="key('kv', concat($did, '|name'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="uuid-i" select="key('kv', concat($did, '|uuid'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="uuid-hex" select="translate(translate($uuid-i/*[2], '-', ''), 'ABCDEF', 'abcdef')"/>
    <xsl:variable name="desc-i" select="key('kv', concat($did, '|description'))[1][count(*) = 2][not(l)]"/>

    <!-- c:pass1 declares the claims namespace once, here, not on every c:claim -->
    <domain type="xen" c:pass1="">
      <xsl:if test="$id != ''">
        <xsl:attribute name="id"><xsl:value-of select="$id"/></xsl:attribute>
        <c:claim ref="{generate-id($domid-i)}"/>
      </xsl:if>

      <name><xsl:value-of select="$name-i/*[2]"/></name>
      <c:claim ref="{generate-id($name-i)}"/>

      <xsl:if test="string-length($uuid-hex) = 32 and translate($uuid-hex, '0123456789abcdef', '') = ''">
        <uuid>
          <xsl:value-of select="concat(substring($uuid-hex, 1, 8), '-', substring($uuid-hex, 9, 4), '-',
              substring($uuid-hex, 13, 4), '-', substring($uuid-hex, 17, 4), '-', substring($uuid-hex, 21, 12))"/>
        </uuid>
        <c:claim ref="{generate-id($uuid-i)}"/>
      </xsl:if>

      <xsl:if test="$desc-i">
        <description><xsl:value-of select="$desc-i/*[2]"/></description>
        <c:claim ref="{generate-id($desc-i)}"/>
      </xsl:if>

      <xsl:call-template name="memory">
        <xsl:with-param name="did" select="$did"/>
      </xsl:call-template>

      <xsl:call-template name="vcpu">
        <xsl:with-param name="did" select="$did"/>
      </xsl:call-template>

      <xsl:if test="not($hvm)">
        <xsl:call-template name="bootloader">
          <xsl:with-param name="did" select="$did"/>
        </xsl:call-template>
      </xsl:if>

      <xsl:if test="$I">
        <c:claim ref="{generate-id($img)}"/>
        <!-- the image repeats (vcpus N) and (vcpu_avail M) for HVM: claimed when equal -->
        <xsl:for-each select="key('kv', concat($did, '|vcpus'))[1] | key('kv', concat($did, '|vcpu_avail'))[1]">
          <xsl:variable name="top" select="."/>
          <xsl:for-each select="key('kv', concat($ik, '|', $top/*[1]))[1][count(*) = 2][not(l)]">
            <xsl:if test="count($top/*) = 2 and not($top/l) and string(*[2]) = string($top/*[2])">
              <c:claim ref="{generate-id()}"/>
            </xsl:if>
          </xsl:for-each>
        </xsl:for-each>
      </xsl:if>
      <os>
        <type><xsl:value-of select="substring('linuxhvm', 1 + 5 * $hvm, 5 - 2 * $hvm)"/></type>
        <xsl:if test="$I">
          <xsl:choose>
            <xsl:when test="$hvm">
              <xsl:call-template name="os-hvm">
                <xsl:with-param name="ik" select="$ik"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:otherwise>
              <xsl:call-template name="os-linux">
                <xsl:with-param name="ik" select="$ik"/>
              </xsl:call-template>
            </xsl:otherwise>
          </xsl:choose>
          <c:carry list="{generate-id($img)}|{$I/*[1]}" n="1" table="os"/>
        </xsl:if>
      </os>

      <xsl:if test="$hvm and $I">
        <xsl:call-template name="features">
          <xsl:with-param name="ik" select="$ik"/>
        </xsl:call-template>
      </xsl:if>

      <xsl:call-template name="clock">
        <xsl:with-param name="did" select="$did"/>
        <xsl:with-param name="ik" select="$ik"/>
        <xsl:with-param name="hvm" select="$hvm"/>
      </xsl:call-template>

      <xsl:call-template name="lifecycle">
        <xsl:with-param name="event" select="'on_poweroff'"/>
      </xsl:call-template>
      <xsl:call-template name="lifecycle">
        <xsl:with-param name="event" select="'on_reboot'"/>
      </xsl:call-template>
      <xsl:call-template name="lifecycle">
        <xsl:with-param name="event" select="'on_crash'"/>
      </xsl:call-template>

      <xsl:call-template name="devices">
        <xsl:with-param name="D" select="."/>
        <xsl:with-param name="I" select="$I"/>
        <xsl:with-param name="hvm" select="$hvm"/>
        <xsl:with-param name="id" select="$id"/>
      </xsl:call-template>

      <xsl:call-template name="xen-cpus">
        <xsl:with-param name="did" select="$did"/>
      </xsl:call-template>
      <c:carry list="{generate-id(..)}|{*[1]}" n="1" table="domain" filter="not-device"/>
    </domain>
  </xsl:template>

  <!-- (maxmem MiB) -> <memory>, (memory MiB) -> <currentMemory>, in KiB, clamped like libvirt. -->
  <xsl:template name="memory">
    <xsl:param name="did"/>
    <xsl:variable name="max-i" select="key('kv', concat($did, '|maxmem'))[1][count(*) = 2][not(l)]
        [translate(*[2], '0123456789', '') = '' and string(*[2]) != '']"/>
    <xsl:variable name="cur-i" select="key('kv', concat($did, '|memory'))[1][count(*) = 2][not(l)]
        [translate(*[2], '0123456789', '') = '' and string(*[2]) != '']"/>
    <!-- the memory size, as a number printed back to text (what libvirt's reader holds) -->
    <xsl:variable name="max" select="string(number(($max-i | $cur-i[not($max-i)])/*[2]))"/>
    <xsl:if test="$max != 'NaN'">
      <memory unit="KiB"><xsl:value-of select="format-number($max * 1024, '0')"/></memory>
      <c:claim ref="{generate-id($max-i)}"/>
    </xsl:if>
    <xsl:for-each select="$cur-i">
      <xsl:choose>
        <xsl:when test="number(*[2]) &gt; number($max)">
          <!-- libvirt clamps; the value as written stays as xen:memory -->
          <currentMemory unit="KiB"><xsl:value-of select="format-number($max * 1024, '0')"/></currentMemory>
        </xsl:when>
        <xsl:otherwise>
          <currentMemory unit="KiB"><xsl:value-of select="format-number(number(*[2]) * 1024, '0')"/></currentMemory>
          <c:claim ref="{generate-id()}"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>

  <!-- (vcpus N) (vcpu_avail MASK) (cpus 'SET') -> <vcpu current='K' cpuset='SET'>N</vcpu> -->
  <xsl:template name="vcpu">
    <xsl:param name="did"/>
    <xsl:variable name="n-i" select="key('kv', concat($did, '|vcpus'))[1][count(*) = 2][not(l)]
        [translate(*[2], '0123456789', '') = '' and string(*[2]) != '']"/>
    <xsl:variable name="avail-i" select="key('kv', concat($did, '|vcpu_avail'))[1][count(*) = 2][not(l)]
        [translate(*[2], '0123456789', '') = '' and string(*[2]) != '']"/>
    <xsl:variable name="cpus-i" select="key('kv', concat($did, '|cpus'))[1][count(*) = 2][not(l)]
        [string(*[2]) != '' and translate(*[2], '0123456789,-^ ', '') = '']"/>
    <xsl:if test="$n-i">
      <xsl:variable name="n" select="number($n-i/*[2])"/>
      <xsl:variable name="bits">
        <xsl:if test="$avail-i">
          <xsl:call-template name="popcount">
            <xsl:with-param name="n" select="number($avail-i/*[2])"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:variable>
      <vcpu>
        <xsl:if test="$bits != '' and $bits &gt; 0 and $bits &lt; $n">
          <xsl:attribute name="current"><xsl:value-of select="$bits"/></xsl:attribute>
        </xsl:if>
        <xsl:if test="$cpus-i">
          <xsl:attribute name="cpuset"><xsl:value-of select="$cpus-i/*[2]"/></xsl:attribute>
          <c:claim ref="{generate-id($cpus-i)}"/>
        </xsl:if>
        <xsl:value-of select="$n"/>
      </vcpu>
      <c:claim ref="{generate-id($n-i)}"/>
      <xsl:if test="$bits != '' and $bits &lt;= $n">
        <xsl:variable name="low">
          <xsl:call-template name="pow2">
            <xsl:with-param name="k" select="$bits"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:if test="number($avail-i/*[2]) = $low - 1 and $bits &gt; 0">
          <c:claim ref="{generate-id($avail-i)}"/>
        </xsl:if>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- xend's per-vCPU affinity (cpus ((0 1) (2) ())) -> xen:cpus -->
  <xsl:template name="xen-cpus">
    <xsl:param name="did"/>
    <xsl:variable name="c" select="key('kv', concat($did, '|cpus'))[1][count(*) = 2][l]
        [not(l/*[not(self::l)])][not(l/l/l)]"/>
    <xsl:if test="$c">
      <xen:cpus>
        <xsl:for-each select="$c/l/l">
          <xen:vcpu id="{position() - 1}">
            <xsl:for-each select="*">
              <xsl:if test="position() &gt; 1">,</xsl:if>
              <xsl:value-of select="."/>
            </xsl:for-each>
          </xen:vcpu>
        </xsl:for-each>
      </xen:cpus>
      <c:claim ref="{generate-id($c)}"/>
    </xsl:if>
  </xsl:template>

  <!-- PV (bootloader P) (bootloader_args A) -->
  <xsl:template name="bootloader">
    <xsl:param name="did"/>
    <xsl:for-each select="key('kv', concat($did, '|bootloader'))[1][count(*) &lt;= 2][not(l)]">
      <bootloader><xsl:value-of select="*[2]"/></bootloader>
      <c:claim ref="{generate-id()}"/>
      <xsl:for-each select="key('kv', concat($did, '|bootloader_args'))[1][count(*) = 2][not(l)]">
        <bootloader_args><xsl:value-of select="*[2]"/></bootloader_args>
        <c:claim ref="{generate-id()}"/>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>

  <!-- (on_poweroff A) (on_reboot A) (on_crash A); the current node is the domain list. -->
  <xsl:template name="lifecycle">
    <xsl:param name="event"/>
    <xsl:variable name="all" select="key('kv', concat(generate-id(), '|', $event))"/>
    <xsl:choose>
      <xsl:when test="not($all)">
        <!-- libvirt's defaults: destroy, restart, destroy -->
        <xsl:element name="{$event}">
          <xsl:value-of select="substring('destroyrestart', 1 + 7 * ($event = 'on_reboot'), 7)"/>
        </xsl:element>
      </xsl:when>
      <xsl:when test="$all[1][count(*) = 2][not(l)]
          [contains(' destroy restart preserve rename-restart coredump-destroy coredump-restart ', concat(' ', *[2], ' '))]">
        <xsl:element name="{$event}"><xsl:value-of select="$all[1]/*[2]"/></xsl:element>
        <c:claim ref="{generate-id($all)}"/>
      </xsl:when>
      <!-- a value libvirt rejects: no core element, the item is kept -->
    </xsl:choose>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- OS                                                                  -->
  <!-- ================================================================== -->

  <xsl:template name="os-linux">
    <xsl:param name="ik"/>
    <xsl:for-each select="key('kv', concat($ik, '|kernel'))[1][count(*) = 2][not(l)][string(*[2]) != '']">
      <kernel><xsl:value-of select="*[2]"/></kernel>
      <c:claim ref="{generate-id()}"/>
    </xsl:for-each>
    <xsl:call-template name="direct-boot">
      <xsl:with-param name="ik" select="$ik"/>
    </xsl:call-template>
  </xsl:template>

  <!-- The image IK's non-empty (ramdisk P) (args S) (root R) as <initrd>, <cmdline>, <root>. -->
  <xsl:template name="direct-boot">
    <xsl:param name="ik"/>
    <xsl:for-each select="key('kv', concat($ik, '|ramdisk'))[1][count(*) = 2][not(l)][string(*[2]) != '']">
      <initrd><xsl:value-of select="*[2]"/></initrd>
      <c:claim ref="{generate-id()}"/>
    </xsl:for-each>
    <xsl:for-each select="key('kv', concat($ik, '|args'))[1][count(*) = 2][not(l)][string(*[2]) != '']">
      <cmdline><xsl:value-of select="*[2]"/></cmdline>
      <c:claim ref="{generate-id()}"/>
    </xsl:for-each>
    <xsl:for-each select="key('kv', concat($ik, '|root'))[1][count(*) = 2][not(l)][string(*[2]) != '']">
      <root><xsl:value-of select="*[2]"/></root>
      <c:claim ref="{generate-id()}"/>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="os-hvm">
    <xsl:param name="ik"/>
    <xsl:variable name="loader-i" select="key('kv', concat($ik, '|loader'))[1][count(*) = 2][not(l)][string(*[2]) != '']"/>
    <xsl:variable name="kernel-all" select="key('kv', concat($ik, '|kernel'))[1]"/>
    <xsl:variable name="kernel-i" select="$kernel-all[count(*) = 2][not(l)]"/>
    <xsl:choose>
      <xsl:when test="$loader-i">
        <loader><xsl:value-of select="$loader-i/*[2]"/></loader>
        <c:claim ref="{generate-id($loader-i)}"/>
        <xsl:choose>
          <xsl:when test="$kernel-i and (string($kernel-i/*[2]) = '' or string($kernel-i/*[2]) = string($loader-i/*[2]))">
            <!-- old xend repeats the loader as kernel; an empty kernel means none (libvirt) -->
            <c:claim ref="{generate-id($kernel-i)}"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:for-each select="$kernel-i[string(*[2]) != '']">
              <kernel><xsl:value-of select="*[2]"/></kernel>
              <c:claim ref="{generate-id()}"/>
            </xsl:for-each>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="direct-boot">
          <xsl:with-param name="ik" select="$ik"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$kernel-i[string(*[2]) != '']">
        <loader><xsl:value-of select="$kernel-i/*[2]"/></loader>
        <c:claim ref="{generate-id($kernel-i)}"/>
      </xsl:when>
    </xsl:choose>
    <!-- boot order, only without a direct-boot kernel -->
    <xsl:variable name="direct" select="$loader-i and $kernel-i and string($kernel-i/*[2]) != ''
        and string($kernel-i/*[2]) != string($loader-i/*[2])"/>
    <xsl:variable name="boot-i" select="key('kv', concat($ik, '|boot'))[1][count(*) = 2][not(l)]"/>
    <!-- libvirt writes (boot c) when it has no boot order: beside a direct-boot kernel it says nothing -->
    <xsl:if test="$direct and string($boot-i/*[2]) = 'c'">
      <c:claim ref="{generate-id($boot-i)}"/>
    </xsl:if>
    <!-- libvirt writes (usb 1) for every HVM guest: it says nothing -->
    <xsl:for-each select="key('kv', concat($ik, '|usb'))[1][count(*) = 2][*[2] = '1']">
      <c:claim ref="{generate-id()}"/>
    </xsl:for-each>
    <xsl:if test="not($direct) and $boot-i">
      <xsl:variable name="b" select="string($boot-i/*[2])"/>
      <!-- the letters that give a device, the first four: the recursion stays shallow -->
      <xsl:call-template name="boot-devs">
        <xsl:with-param name="s" select="substring(translate($b, translate($b, 'acdn', ''), ''), 1, 4)"/>
      </xsl:call-template>
      <xsl:if test="$b != '' and translate($b, 'acdn', '') = '' and string-length($b) &lt;= 4">
        <c:claim ref="{generate-id($boot-i)}"/>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- libvirt: each of a, c, d, n gives a boot device, at most four; other letters are skipped. -->
  <xsl:template name="boot-devs">
    <xsl:param name="s"/>
    <xsl:param name="count" select="0"/>
    <xsl:if test="$s != '' and $count &lt; 4">
      <xsl:variable name="ch" select="substring($s, 1, 1)"/>
      <xsl:variable name="dev">
        <xsl:choose>
          <xsl:when test="$ch = 'a'">fd</xsl:when>
          <xsl:when test="$ch = 'c'">hd</xsl:when>
          <xsl:when test="$ch = 'd'">cdrom</xsl:when>
          <xsl:when test="$ch = 'n'">network</xsl:when>
        </xsl:choose>
      </xsl:variable>
      <xsl:if test="$dev != ''">
        <boot dev="{$dev}"/>
      </xsl:if>
      <xsl:call-template name="boot-devs">
        <xsl:with-param name="s" select="substring($s, 2)"/>
        <xsl:with-param name="count" select="$count + ($dev != '')"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!--
    HVM (acpi 1) (apic 1) (pae 1) (hap 0|1) (viridian 1) -> <features>. sexpr_int(...) != 0
    turns a feature on (an unparsable value is 0); only '1' is claimed. (hap 0) gives
    <hap state='off'/> (xend's default is on).
  -->
  <xsl:template name="features">
    <xsl:param name="ik"/>
    <xsl:variable name="acpi" select="key('kv', concat($ik, '|acpi'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="apic" select="key('kv', concat($ik, '|apic'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="pae" select="key('kv', concat($ik, '|pae'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="hap" select="key('kv', concat($ik, '|hap'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="viridian" select="key('kv', concat($ik, '|viridian'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="on" select="($acpi | $apic | $pae | $hap | $viridian)
        [number(*[2]) != 0 and string(number(*[2])) != 'NaN']"/>
    <xsl:if test="$on or string($hap/*[2]) = '0'">
      <features>
        <xsl:for-each select="$acpi[count(. | $on) = count($on)]">
          <acpi/>
          <xsl:if test="*[2] = '1'"><c:claim ref="{generate-id()}"/></xsl:if>
        </xsl:for-each>
        <xsl:for-each select="$apic[count(. | $on) = count($on)]">
          <apic/>
          <xsl:if test="*[2] = '1'"><c:claim ref="{generate-id()}"/></xsl:if>
        </xsl:for-each>
        <xsl:for-each select="$pae[count(. | $on) = count($on)]">
          <pae/>
          <xsl:if test="*[2] = '1'"><c:claim ref="{generate-id()}"/></xsl:if>
        </xsl:for-each>
        <xsl:for-each select="$hap">
          <xsl:choose>
            <xsl:when test="*[2] = '0'">
              <hap state="off"/>
              <c:claim ref="{generate-id()}"/>
            </xsl:when>
            <xsl:when test="count(. | $on) = count($on)">
              <hap/>
              <xsl:if test="*[2] = '1'"><c:claim ref="{generate-id()}"/></xsl:if>
            </xsl:when>
          </xsl:choose>
        </xsl:for-each>
        <xsl:for-each select="$viridian[count(. | $on) = count($on)]">
          <viridian/>
          <xsl:if test="*[2] = '1'"><c:claim ref="{generate-id()}"/></xsl:if>
        </xsl:for-each>
      </features>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Clock                                                               -->
  <!-- ================================================================== -->

  <xsl:template name="clock">
    <xsl:param name="did"/>
    <xsl:param name="ik"/>
    <xsl:param name="hvm"/>
    <xsl:variable name="top-lt" select="key('kv', concat($did, '|localtime'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="img-lt" select="key('kv', concat($ik, '|localtime'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="lt-i" select="$img-lt | $top-lt[not($img-lt)]"/>
    <xsl:variable name="localtime" select="$lt-i and number($lt-i/*[2]) != 0 and string(number($lt-i/*[2])) != 'NaN'"/>
    <xsl:if test="string($lt-i/*[2]) = '0' or string($lt-i/*[2]) = '1'">
      <c:claim ref="{generate-id($lt-i)}"/>
      <!-- libvirt writes (localtime) in both places; the top-level one only repeats the image's -->
      <xsl:if test="$img-lt and string($top-lt/*[2]) = string($img-lt/*[2])">
        <c:claim ref="{generate-id($top-lt)}"/>
      </xsl:if>
    </xsl:if>
    <xsl:choose>
      <xsl:when test="$hvm and $ver &gt;= 4">
        <xsl:variable name="rtc-i" select="key('kv', concat($ik, '|rtc_timeoffset'))[1][count(*) = 2][not(l)]
            [string(number(*[2])) != 'NaN' and not(contains(*[2], '.'))]"/>
        <clock offset="variable">
          <xsl:attribute name="adjustment">
            <xsl:choose>
              <xsl:when test="$rtc-i"><xsl:value-of select="number($rtc-i/*[2])"/></xsl:when>
              <xsl:otherwise>0</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:attribute name="basis">
            <xsl:choose>
              <xsl:when test="$localtime">localtime</xsl:when>
              <xsl:otherwise>utc</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:call-template name="hpet">
            <xsl:with-param name="ik" select="$ik"/>
          </xsl:call-template>
        </clock>
        <xsl:if test="$rtc-i">
          <c:claim ref="{generate-id($rtc-i)}"/>
        </xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <clock>
          <xsl:attribute name="offset">
            <xsl:choose>
              <xsl:when test="$localtime">localtime</xsl:when>
              <xsl:otherwise>utc</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:attribute name="adjustment">reset</xsl:attribute>
          <xsl:if test="$hvm">
            <xsl:call-template name="hpet">
              <xsl:with-param name="ik" select="$ik"/>
            </xsl:call-template>
          </xsl:if>
        </clock>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="hpet">
    <xsl:param name="ik"/>
    <xsl:variable name="h" select="key('kv', concat($ik, '|hpet'))[1][count(*) = 2][not(l)]"/>
    <xsl:if test="$h">
      <timer name="hpet">
        <xsl:attribute name="present">
          <xsl:choose>
            <xsl:when test="number($h/*[2]) != 0 and string(number($h/*[2])) != 'NaN'">yes</xsl:when>
            <xsl:otherwise>no</xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
      </timer>
      <xsl:if test="string($h/*[2]) = '0' or string($h/*[2]) = '1'">
        <c:claim ref="{generate-id($h)}"/>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Devices                                                             -->
  <!-- ================================================================== -->

  <xsl:template name="devices">
    <xsl:param name="D"/>
    <xsl:param name="I"/>
    <xsl:param name="hvm"/>
    <xsl:param name="id"/>
    <xsl:variable name="ik" select="generate-id($I)"/>
    <!-- (device (CLASS ...)) items -->
    <xsl:variable name="dev" select="$D/l[*[1][not(self::l)] = 'device'][count(*) = 2][*[2][self::l]]"/>

    <devices>
      <xsl:for-each select="key('kv', concat($ik, '|device_model'))[1][count(*) = 2][not(l)][string(*[2]) != '']">
        <emulator><xsl:value-of select="*[2]"/></emulator>
        <c:claim ref="{generate-id()}"/>
      </xsl:for-each>

      <xsl:call-template name="disks">
        <xsl:with-param name="candidates"
            select="$dev[l/*[1][not(self::l)] = 'vbd' or l/*[1][not(self::l)] = 'tap' or l/*[1][not(self::l)] = 'tap2']"/>
        <xsl:with-param name="ik" select="$ik"/>
        <xsl:with-param name="hvm" select="$hvm"/>
      </xsl:call-template>

      <xsl:for-each select="$dev[l/*[1][not(self::l)] = 'vusb']">
        <xsl:call-template name="vusb">
          <xsl:with-param name="index" select="position() - 1"/>
        </xsl:call-template>
      </xsl:for-each>

      <xsl:for-each select="$dev[l/*[1][not(self::l)] = 'vif']">
        <xsl:call-template name="vif">
          <xsl:with-param name="index" select="position() - 1"/>
          <xsl:with-param name="id" select="$id"/>
        </xsl:call-template>
      </xsl:for-each>

      <xsl:if test="$hvm">
        <xsl:call-template name="serials">
          <xsl:with-param name="ik" select="$ik"/>
        </xsl:call-template>
        <xsl:variable name="par" select="key('kv', concat($ik, '|parallel'))[1][count(*) = 2][not(l)]"/>
        <xsl:if test="$par">
          <xsl:call-template name="chr">
            <xsl:with-param name="element" select="'parallel'"/>
            <xsl:with-param name="value" select="string($par/*[2])"/>
            <xsl:with-param name="port" select="0"/>
            <xsl:with-param name="item" select="$par"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:if>
      <xsl:if test="not($hvm) and $id != '0'">
        <console type="pty">
          <target type="xen" port="0"/>
        </console>
      </xsl:if>

      <xsl:if test="$hvm">
        <xsl:for-each select="key('kv', concat($ik, '|usbdevice'))[count(*) = 2][not(l)]
            [*[2] = 'tablet' or *[2] = 'mouse' or *[2] = 'keyboard']">
          <input type="{*[2]}" bus="usb"/>
          <c:claim ref="{generate-id()}"/>
        </xsl:for-each>
      </xsl:if>

      <xsl:call-template name="graphics">
        <xsl:with-param name="vfbs" select="$dev[l/*[1][not(self::l)] = 'vfb']"/>
        <xsl:with-param name="ik" select="$ik"/>
        <xsl:with-param name="id" select="$id"/>
      </xsl:call-template>

      <xsl:if test="$hvm">
        <xsl:call-template name="sound">
          <xsl:with-param name="ik" select="$ik"/>
        </xsl:call-template>
        <xsl:variable name="vga" select="key('kv', concat($ik, '|stdvga'))[1][count(*) = 2][not(l)][*[2] = '0' or *[2] = '1']"/>
        <xsl:if test="$vga">
          <video>
            <model type="{substring('cirrusvga', 1 + 6 * ($vga/*[2] = '1'), 6 - 3 * ($vga/*[2] = '1'))}"/>
          </video>
          <c:claim ref="{generate-id($vga)}"/>
        </xsl:if>
      </xsl:if>

      <xsl:for-each select="$dev[l/*[1][not(self::l)] = 'pci']">
        <xsl:call-template name="pci"/>
      </xsl:for-each>

      <xsl:for-each select="$dev">
        <xsl:variable name="class" select="string(l/*[1][not(self::l)])"/>
        <xsl:choose>
          <xsl:when test="$class = 'vkbd' or $class = 'console' or $class = 'ioports' or $class = 'vtpm'">
            <xsl:element name="xen:{$class}">
              <c:carry list="{generate-id()}|{$class}" n="1" table="{$class}"/>
            </xsl:element>
            <c:claim ref="{generate-id()}"/>
          </xsl:when>
          <xsl:when test="$class = 'vscsi'">
            <xen:vscsi>
              <xsl:for-each select="l/l[*[1][not(self::l)] = 'dev']">
                <xen:dev>
                  <c:carry list="{generate-id(..)}|dev" n="{position()}" table="vscsi-dev"/>
                </xen:dev>
                <c:claim ref="{generate-id()}"/>
              </xsl:for-each>
              <c:carry list="{generate-id()}|vscsi" n="1" table="vscsi"/>
            </xen:vscsi>
            <c:claim ref="{generate-id()}"/>
          </xsl:when>
          <xsl:when test="$class = 'irq' and count(l/*) = 2 and l/l[*[1][not(self::l)] = 'irq'][count(*) = 2][not(l)]">
            <xen:irq><xsl:value-of select="l/l/*[2]"/></xen:irq>
            <c:claim ref="{generate-id()}"/>
          </xsl:when>
        </xsl:choose>
      </xsl:for-each>

      <c:carry list="{generate-id($D/..)}|{$D/*[1]}" n="1" table="" filter="device"/>
    </devices>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Disks                                                               -->
  <!-- ================================================================== -->

  <xsl:template name="disks">
    <xsl:param name="candidates"/>
    <xsl:param name="ik"/>
    <xsl:param name="hvm"/>
    <xsl:choose>
      <xsl:when test="not($candidates[position() &gt; 1][key('kv', concat(generate-id(l), '|bootable'))[1][count(*) = 2]/*[2] = '1'])
          and not($hvm and (key('kv', concat($ik, '|cdrom')) or key('kv', concat($ik, '|fda')) or key('kv', concat($ik, '|fdb'))))">
        <!-- the disks in input order, and nothing else to look at -->
        <xsl:for-each select="$candidates">
          <xsl:call-template name="disk-parse"/>
        </xsl:for-each>
      </xsl:when>
      <xsl:otherwise>
        <!-- each candidate read once: <d boot="0|1"> with its <disk> when it makes one -->
        <xsl:variable name="parsed-rtf">
          <xsl:for-each select="$candidates">
            <d boot="{number(string(key('kv', concat(generate-id(l), '|bootable'))[1][count(*) = 2]/*[2]) = '1')}">
              <xsl:call-template name="disk-parse"/>
            </d>
          </xsl:for-each>
        </xsl:variable>
        <xsl:variable name="parsed" select="exsl:node-set($parsed-rtf)/d[disk]"/>
        <xsl:choose>
          <xsl:when test="$parsed[position() &gt; 1]/@boot = '1'">
            <!-- libvirt's order: a bootable disk goes first, the old first one goes last -->
            <xsl:variable name="order">
              <xsl:call-template name="boot-order">
                <xsl:with-param name="todo">
                  <xsl:for-each select="$parsed">
                    <xsl:value-of select="concat(position(), ':', @boot, ' ')"/>
                  </xsl:for-each>
                </xsl:with-param>
                <xsl:with-param name="done" select="''"/>
              </xsl:call-template>
            </xsl:variable>
            <xsl:for-each select="str:tokenize($order, ' ')">
              <xsl:copy-of select="$parsed[position() = current()]/node()"/>
            </xsl:for-each>
          </xsl:when>
          <xsl:otherwise>
            <xsl:copy-of select="$parsed/node()"/>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:variable name="targets" select="$parsed/disk/target/@dev"/>
        <xsl:if test="$hvm">
          <!-- xend 3.0.2's CD-ROM in the image, unless a vbd already is hdc -->
          <xsl:variable name="cd" select="key('kv', concat($ik, '|cdrom'))[1][count(*) = 2][not(l)][string(*[2]) != '']"/>
          <xsl:if test="$cd and not($targets[contains(concat(' ', ., ' '), ' hdc ')])">
            <disk type="file" device="cdrom">
              <driver name="file"/>
              <source file="{$cd/*[2]}"/>
              <target dev="hdc" bus="ide"/>
              <readonly/>
            </disk>
            <c:claim ref="{generate-id($cd)}"/>
          </xsl:if>
          <xsl:for-each select="key('kv', concat($ik, '|fda'))[1] | key('kv', concat($ik, '|fdb'))[1]">
            <xsl:if test="count(*) = 2 and not(l) and string(*[2]) != '' and not($targets[contains(concat(' ', ., ' '), concat(' ', current()/*[1], ' '))])">
              <disk type="file" device="floppy">
                <driver name="file"/>
                <source file="{*[2]}"/>
                <target dev="{*[1]}" bus="fdc"/>
              </disk>
              <c:claim ref="{generate-id()}"/>
            </xsl:if>
          </xsl:for-each>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="boot-order">
    <xsl:param name="todo"/>
    <xsl:param name="done"/>
    <xsl:choose>
      <xsl:when test="$todo = ''">
        <xsl:value-of select="normalize-space($done)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="head" select="substring-before(concat($todo, ' '), ' ')"/>
        <xsl:variable name="pos" select="substring-before($head, ':')"/>
        <xsl:variable name="first" select="substring-before(concat($done, ' '), ' ')"/>
        <xsl:variable name="next">
          <xsl:choose>
            <xsl:when test="substring-after($head, ':') = '1' and $done != ''">
              <xsl:value-of select="concat($pos, ' ', normalize-space(substring-after(concat($done, ' '), ' ')), ' ', $first)"/>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="concat($done, ' ', $pos)"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:call-template name="boot-order">
          <xsl:with-param name="todo" select="substring-after($todo, ' ')"/>
          <xsl:with-param name="done" select="normalize-space($next)"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!--
    The current node is a (device (vbd|tap|tap2 ...)) item. When it makes a disk: the <disk>
    and the claim of the item; otherwise nothing.
  -->
  <xsl:template name="disk-parse">
    <xsl:variable name="lk" select="generate-id(l)"/>
    <xsl:variable name="dev-i" select="key('kv', concat($lk, '|dev'))[1][count(*) = 2][not(l)][string(*[2]) != '']"/>
    <xsl:variable name="uname-i" select="key('kv', concat($lk, '|uname'))[1][count(*) = 2][not(l)][string(*[2]) != '']"/>
    <xsl:variable name="uname" select="string($uname-i/*[2])"/>
    <!-- 'ioemu:hda', 'hda:disk', 'hdc:cdrom', 'xvda': the target, then what follows its last ':' -->
    <xsl:variable name="dst" select="substring($dev-i/*[2], 1 + 6 * starts-with($dev-i/*[2], 'ioemu:'))"/>
    <xsl:variable name="after" select="substring-after($dst, ':')"/>
    <xsl:variable name="suffix">
      <xsl:choose>
        <xsl:when test="not(contains($after, ':'))"><xsl:value-of select="$after"/></xsl:when>
        <xsl:when test="substring($after, string-length($after)) != ':'">
          <xsl:value-of select="str:tokenize($after, ':')[last()]"/>
        </xsl:when>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="target" select="substring($dst, 1, string-length($dst) - (string-length($suffix) + 1) * contains($dst, ':'))"/>
    <xsl:variable name="driver">
      <xsl:choose>
        <xsl:when test="string(l/*[1]) = 'tap2' and starts-with($uname, 'tap:')">tap2</xsl:when>
        <xsl:otherwise><xsl:value-of select="substring-before($uname, ':')"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="rest" select="substring-after($uname, ':')"/>
    <xsl:variable name="tap" select="$driver = 'tap' or $driver = 'tap2'"/>
    <xsl:variable name="format">
      <xsl:if test="$tap">
        <xsl:variable name="fmt0" select="substring-before($rest, ':')"/>
        <xsl:choose>
          <xsl:when test="$fmt0 = 'aio'">raw</xsl:when>
          <xsl:when test="contains(' raw dir bochs cloop dmg iso vpc vdi fat vhd ploop cow qcow qcow2 qed vmdk ', concat(' ', $fmt0, ' '))">
            <xsl:value-of select="$fmt0"/>
          </xsl:when>
        </xsl:choose>
      </xsl:if>
    </xsl:variable>
    <xsl:if test="$target != '' and (($uname-i and $driver != '' and (not($tap) or $format != ''))
        or (not($uname-i) and $suffix = 'cdrom'))">
      <xsl:variable name="block" select="$uname-i and not($tap) and $driver != 'file'"/>
      <xsl:variable name="mode-i" select="key('kv', concat($lk, '|mode'))[1][count(*) = 2][not(l)]"/>
      <disk type="{substring('fileblock', 1 + 4 * $block, 4 + $block)}"
          device="{substring('diskcdrom', 1 + 4 * ($suffix = 'cdrom'), 4 + ($suffix = 'cdrom'))}">
        <xsl:if test="$uname-i">
          <driver name="{$driver}">
            <xsl:if test="$format != ''">
              <xsl:attribute name="type"><xsl:value-of select="$format"/></xsl:attribute>
            </xsl:if>
          </driver>
          <source>
            <xsl:attribute name="{substring('filedev', 1 + 4 * $block, 4 - $block)}">
              <xsl:choose>
                <xsl:when test="$tap"><xsl:value-of select="substring-after($rest, ':')"/></xsl:when>
                <xsl:otherwise><xsl:value-of select="$rest"/></xsl:otherwise>
              </xsl:choose>
            </xsl:attribute>
          </source>
          <c:claim ref="{generate-id($uname-i)}"/>
        </xsl:if>
        <target dev="{$target}">
          <xsl:attribute name="bus">
            <xsl:choose>
              <xsl:when test="starts-with($target, 'xvd')">xen</xsl:when>
              <xsl:when test="starts-with($target, 'sd')">scsi</xsl:when>
              <xsl:otherwise>ide</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
        </target>
        <c:claim ref="{generate-id($dev-i)}"/>
        <xsl:if test="contains($mode-i/*[2], 'r')">
          <readonly/>
        </xsl:if>
        <xsl:if test="contains($mode-i/*[2], '!')">
          <shareable/>
        </xsl:if>
        <xsl:if test="$mode-i/*[2] = 'r' or $mode-i/*[2] = 'w' or $mode-i/*[2] = 'w!'">
          <c:claim ref="{generate-id($mode-i)}"/>
        </xsl:if>
        <c:carry list="{generate-id()}|{l/*[1]}" n="1" table="disk"/>
      </disk>
      <c:claim ref="{generate-id()}"/>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Interfaces                                                          -->
  <!-- ================================================================== -->

  <!-- The current node is a (device (vif ...)) item. -->
  <xsl:template name="vif">
    <xsl:param name="index"/>
    <xsl:param name="id"/>
    <xsl:variable name="lk" select="generate-id(l)"/>
    <xsl:variable name="bridge-i" select="key('kv', concat($lk, '|bridge'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="script-i" select="key('kv', concat($lk, '|script'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="vifname-i" select="key('kv', concat($lk, '|vifname'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="model-i" select="key('kv', concat($lk, '|model'))[1][count(*) = 2][not(l)]"/>
    <xsl:variable name="bridged" select="$bridge-i or string($script-i/*[2]) = 'vif-bridge'"/>
    <interface type="{substring('ethernetbridge', 1 + 8 * $bridged, 8 - 2 * $bridged)}">
      <xsl:for-each select="key('kv', concat($lk, '|mac'))[1][count(*) = 2][not(l)]">
        <xsl:choose>
          <!-- already six two-digit octets -->
          <xsl:when test="translate(*[2], '0123456789abcdefABCDEF', '0000000000000000000000') = '00:00:00:00:00:00'">
            <mac address="{translate(*[2], 'ABCDEF', 'abcdef')}"/>
            <c:claim ref="{generate-id()}"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:variable name="mac">
              <xsl:call-template name="mac-octets">
                <xsl:with-param name="s" select="string(*[2])"/>
              </xsl:call-template>
            </xsl:variable>
            <xsl:if test="$mac != ''">
              <mac address="{$mac}"/>
              <c:claim ref="{generate-id()}"/>
            </xsl:if>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:for-each>
      <xsl:for-each select="$bridge-i">
        <source bridge="{*[2]}"/>
        <c:claim ref="{generate-id()}"/>
      </xsl:for-each>
      <xsl:for-each select="key('kv', concat($lk, '|rate'))[1][count(*) = 2][not(l)]">
        <xsl:variable name="rate">
          <xsl:call-template name="rate">
            <xsl:with-param name="s" select="string(*[2])"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:if test="$rate != ''">
          <bandwidth>
            <outbound average="{$rate}"/>
          </bandwidth>
          <xsl:if test="not(contains(*[2], '@'))">
            <c:claim ref="{generate-id()}"/>
          </xsl:if>
        </xsl:if>
      </xsl:for-each>
      <xsl:for-each select="key('kv', concat($lk, '|ip'))[1][count(*) = 2][not(l)]
          [normalize-space(*[2]) != ''][translate(*[2], '0123456789abcdefABCDEF.: &#9;', '') = '']">
        <xsl:for-each select="str:tokenize(string(*[2]), ' &#9;')">
          <ip address="{.}" family="{substring('ipv4ipv6', 1 + 4 * contains(., ':'), 4)}"/>
        </xsl:for-each>
        <c:claim ref="{generate-id()}"/>
      </xsl:for-each>
      <xsl:for-each select="$script-i">
        <script path="{*[2]}"/>
        <c:claim ref="{generate-id()}"/>
      </xsl:for-each>
      <xsl:choose>
        <xsl:when test="$vifname-i">
          <target dev="{$vifname-i/*[2]}"/>
          <c:claim ref="{generate-id($vifname-i)}"/>
        </xsl:when>
        <xsl:when test="$id != ''">
          <target dev="vif{$id}.{$index}"/>
        </xsl:when>
      </xsl:choose>
      <xsl:choose>
        <xsl:when test="$model-i">
          <model type="{$model-i/*[2]}"/>
          <c:claim ref="{generate-id($model-i)}"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:for-each select="key('kv', concat($lk, '|type'))[1][count(*) = 2][not(l)][*[2] = 'netfront']">
            <model type="netfront"/>
            <c:claim ref="{generate-id()}"/>
          </xsl:for-each>
        </xsl:otherwise>
      </xsl:choose>
      <c:carry list="{generate-id()}|vif" n="1" table="interface"/>
    </interface>
    <c:claim ref="{generate-id()}"/>
  </xsl:template>

  <!-- A MAC address in lowercase, two digits per octet; '' if it is not one. -->
  <xsl:template name="mac-octets">
    <xsl:param name="s"/>
    <xsl:variable name="octets" select="str:tokenize($s, ':')"/>
    <xsl:if test="count($octets) = 6 and substring($s, string-length($s)) != ':' and not(contains($s, '::'))
        and not(starts-with($s, ':')) and translate($s, '0123456789abcdefABCDEF:', '') = ''">
      <xsl:variable name="out">
        <xsl:for-each select="$octets">
          <xsl:if test="string-length(.) &lt;= 2">
            <xsl:value-of select="substring(concat('0', translate(., 'ABCDEF', 'abcdef')), string-length(.))"/>
          </xsl:if>
          <xsl:if test="position() != last()">:</xsl:if>
        </xsl:for-each>
      </xsl:variable>
      <xsl:if test="string-length($out) = 17">
        <xsl:value-of select="$out"/>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <!-- libvirt's xenParseSxprVifRate: ^[0-9]+[GMK]?[Bb]/s$ (before any '@') -> KB/s -->
  <xsl:template name="rate">
    <xsl:param name="s"/>
    <xsl:variable name="r">
      <xsl:choose>
        <xsl:when test="contains($s, '@')"><xsl:value-of select="substring-before($s, '@')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="num" select="substring-before(concat($r, 'X'), substring(translate($r, '0123456789', ''), 1, 1))"/>
    <xsl:variable name="unit" select="substring($r, string-length($num) + 1)"/>
    <xsl:if test="$num != '' and translate($num, '0123456789', '') = ''
        and ($unit = 'B/s' or $unit = 'b/s' or $unit = 'KB/s' or $unit = 'Kb/s'
             or $unit = 'MB/s' or $unit = 'Mb/s' or $unit = 'GB/s' or $unit = 'Gb/s')">
      <xsl:variable name="scaled">
        <xsl:choose>
          <xsl:when test="starts-with($unit, 'G')"><xsl:value-of select="format-number(number($num) * 1048576, '0')"/></xsl:when>
          <xsl:when test="starts-with($unit, 'M')"><xsl:value-of select="format-number(number($num) * 1024, '0')"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="format-number(number($num), '0')"/></xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <xsl:choose>
        <xsl:when test="contains($unit, 'b')"><xsl:value-of select="format-number(floor($scaled div 8), '0')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$scaled"/></xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Character devices                                                   -->
  <!-- ================================================================== -->

  <xsl:template name="serials">
    <xsl:param name="ik"/>
    <xsl:variable name="s" select="key('kv', concat($ik, '|serial'))[1][count(*) = 2]"/>
    <xsl:choose>
      <xsl:when test="$s/l">
        <!-- (serial (V0 V1 ...)): one port per entry; 'none' leaves its port unused -->
        <xsl:variable name="vals" select="$s/l/*"/>
        <xsl:variable name="bad">
          <xsl:for-each select="$vals">
            <xsl:if test="self::l">x</xsl:if>
            <xsl:if test="not(self::l) and string(.) != 'none'">
              <xsl:variable name="f">
                <xsl:call-template name="chr-parse">
                  <xsl:with-param name="value" select="string(.)"/>
                  <xsl:with-param name="what" select="'format'"/>
                </xsl:call-template>
              </xsl:variable>
              <xsl:if test="$f != string(.)">x</xsl:if>
            </xsl:if>
          </xsl:for-each>
        </xsl:variable>
        <xsl:if test="not(contains($bad, 'x'))">
          <xsl:for-each select="$vals">
            <xsl:if test="string(.) != 'none'">
              <xsl:call-template name="chr">
                <xsl:with-param name="element" select="'serial'"/>
                <xsl:with-param name="value" select="string(.)"/>
                <xsl:with-param name="port" select="position() - 1"/>
              </xsl:call-template>
            </xsl:if>
          </xsl:for-each>
          <c:claim ref="{generate-id($s)}"/>
        </xsl:if>
      </xsl:when>
      <xsl:when test="$s">
        <xsl:call-template name="chr">
          <xsl:with-param name="element" select="'serial'"/>
          <xsl:with-param name="value" select="string($s/*[2])"/>
          <xsl:with-param name="port" select="0"/>
          <xsl:with-param name="item" select="$s"/>
        </xsl:call-template>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!--
    One serial or parallel port from a value string. With an item, the item is claimed when the
    value reads back unchanged (libvirt's writer would print it as it is); 'none' means no port.
  -->
  <xsl:template name="chr">
    <xsl:param name="element"/>
    <xsl:param name="value"/>
    <xsl:param name="port"/>
    <xsl:param name="item" select="/.."/>
    <xsl:choose>
      <!-- no port; '' reads back as '' (nothing understood, nothing written) -->
      <xsl:when test="$value = 'none' or $value = ''">
        <xsl:if test="$item">
          <c:claim ref="{generate-id($item)}"/>
        </xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="chr-parse">
          <xsl:with-param name="value" select="$value"/>
          <xsl:with-param name="what" select="'element'"/>
          <xsl:with-param name="element" select="$element"/>
          <xsl:with-param name="port" select="$port"/>
          <xsl:with-param name="item" select="$item"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!--
    libvirt's xenParseSxprChar. what='element' emits the device (and claims ITEM, when given,
    if libvirt's writer would print the value back unchanged), what='format' prints the value
    as libvirt's xenFormatSxprChr would write it back ('' when the value is not understood).
  -->
  <xsl:template name="chr-parse">
    <xsl:param name="value"/>
    <xsl:param name="what"/>
    <xsl:param name="element" select="'serial'"/>
    <xsl:param name="port" select="0"/>
    <xsl:param name="item" select="/.."/>
    <xsl:variable name="prefix">
      <xsl:choose>
        <xsl:when test="starts-with($value, '/')">dev</xsl:when>
        <xsl:when test="contains($value, ':')"><xsl:value-of select="substring-before($value, ':')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$value"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="v">
      <xsl:choose>
        <xsl:when test="starts-with($value, '/')"><xsl:value-of select="$value"/></xsl:when>
        <xsl:when test="contains($value, ':')"><xsl:value-of select="substring-after($value, ':')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$value"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="type">
      <xsl:choose>
        <xsl:when test="starts-with($prefix, 'telnet')">tcp</xsl:when>
        <xsl:when test="contains(' null vc pty dev file pipe stdio udp tcp unix ', concat(' ', $prefix, ' '))">
          <xsl:value-of select="$prefix"/>
        </xsl:when>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="telnet" select="starts-with($prefix, 'telnet')"/>
    <!-- tcp: HOST:SERVICE[,server...]; udp: HOST:SERVICE[@BHOST:BSERVICE]; unix: PATH[,server] -->
    <xsl:variable name="host" select="substring-before($v, ':')"/>
    <xsl:variable name="after" select="substring-after($v, ':')"/>
    <xsl:variable name="tcp-service">
      <xsl:choose>
        <xsl:when test="contains($after, ',')"><xsl:value-of select="substring-before($after, ',')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$after"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="tcp-listen" select="contains(substring-after($after, ','), 'server') and contains($after, ',server')"/>
    <xsl:variable name="udp-cservice">
      <xsl:choose>
        <xsl:when test="contains($after, '@')"><xsl:value-of select="substring-before($after, '@')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$after"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="udp-bind" select="substring-after($after, '@')"/>
    <xsl:variable name="udp-bhost" select="substring-before($udp-bind, ':')"/>
    <xsl:variable name="udp-bservice" select="substring-after($udp-bind, ':')"/>
    <xsl:variable name="unix-path">
      <xsl:choose>
        <xsl:when test="contains($v, ',')"><xsl:value-of select="substring-before($v, ',')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$v"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="unix-listen" select="contains(concat(',', substring-after($v, ',')), ',server')"/>
    <xsl:variable name="ok" select="$type != ''
        and not(($type = 'tcp' or $type = 'udp') and not(contains($v, ':')))
        and not($type = 'udp' and contains($after, '@') and not(contains($udp-bind, ':')))"/>
    <xsl:if test="$ok">
      <xsl:variable name="format">
        <xsl:if test="$what = 'format' or $item">
          <xsl:choose>
            <xsl:when test="$type = 'dev'"><xsl:value-of select="$v"/></xsl:when>
            <xsl:when test="$type = 'file' or $type = 'pipe'"><xsl:value-of select="concat($type, ':', $v)"/></xsl:when>
            <xsl:when test="$type = 'tcp'">
              <xsl:value-of select="concat(substring('tcptelnet', 1 + 3 * $telnet, 3 + 3 * $telnet), ':', $host, ':', $tcp-service)"/>
              <xsl:if test="$tcp-listen">,server,nowait</xsl:if>
            </xsl:when>
            <xsl:when test="$type = 'udp'">
              <xsl:value-of select="concat('udp:', $host, ':', $udp-cservice, '@', $udp-bhost, ':', $udp-bservice)"/>
            </xsl:when>
            <xsl:when test="$type = 'unix'">
              <xsl:value-of select="concat('unix:', $unix-path)"/>
              <xsl:if test="$unix-listen">,server,nowait</xsl:if>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="$type"/></xsl:otherwise>
          </xsl:choose>
        </xsl:if>
      </xsl:variable>
      <xsl:choose>
        <xsl:when test="$what = 'format'">
          <xsl:value-of select="$format"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:element name="{$element}">
            <xsl:attribute name="type"><xsl:value-of select="$type"/></xsl:attribute>
            <xsl:choose>
              <xsl:when test="$type = 'dev' or $type = 'file' or $type = 'pipe'">
                <source path="{$v}"/>
              </xsl:when>
              <xsl:when test="$type = 'tcp'">
                <source>
                  <xsl:attribute name="mode">
                    <xsl:choose>
                      <xsl:when test="$tcp-listen">bind</xsl:when>
                      <xsl:otherwise>connect</xsl:otherwise>
                    </xsl:choose>
                  </xsl:attribute>
                  <xsl:if test="$host != ''">
                    <xsl:attribute name="host"><xsl:value-of select="$host"/></xsl:attribute>
                  </xsl:if>
                  <xsl:attribute name="service"><xsl:value-of select="$tcp-service"/></xsl:attribute>
                </source>
                <protocol type="{substring('rawtelnet', 1 + 3 * $telnet, 3 + 3 * $telnet)}"/>
              </xsl:when>
              <xsl:when test="$type = 'udp'">
                <xsl:if test="$udp-bhost != '' or $udp-bservice != ''">
                  <source mode="bind">
                    <xsl:if test="$udp-bhost != ''">
                      <xsl:attribute name="host"><xsl:value-of select="$udp-bhost"/></xsl:attribute>
                    </xsl:if>
                    <xsl:if test="$udp-bservice != ''">
                      <xsl:attribute name="service"><xsl:value-of select="$udp-bservice"/></xsl:attribute>
                    </xsl:if>
                  </source>
                </xsl:if>
                <xsl:if test="$host != '' or $udp-cservice != ''">
                  <source mode="connect">
                    <xsl:if test="$host != ''">
                      <xsl:attribute name="host"><xsl:value-of select="$host"/></xsl:attribute>
                    </xsl:if>
                    <xsl:if test="$udp-cservice != ''">
                      <xsl:attribute name="service"><xsl:value-of select="$udp-cservice"/></xsl:attribute>
                    </xsl:if>
                  </source>
                </xsl:if>
              </xsl:when>
              <xsl:when test="$type = 'unix'">
                <source>
                  <xsl:attribute name="mode">
                    <xsl:choose>
                      <xsl:when test="$unix-listen">bind</xsl:when>
                      <xsl:otherwise>connect</xsl:otherwise>
                    </xsl:choose>
                  </xsl:attribute>
                  <xsl:attribute name="path"><xsl:value-of select="$unix-path"/></xsl:attribute>
                </source>
              </xsl:when>
            </xsl:choose>
            <target port="{$port}"/>
          </xsl:element>
          <xsl:if test="$item and $format = $value">
            <c:claim ref="{generate-id($item)}"/>
          </xsl:if>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Graphics                                                            -->
  <!-- ================================================================== -->

  <xsl:template name="graphics">
    <xsl:param name="vfbs"/>
    <xsl:param name="ik"/>
    <xsl:param name="id"/>
    <!-- a vfb gives graphics when its type is known: (type vnc|sdl), or a (vnc ...) or (sdl ...) key -->
    <xsl:variable name="typed" select="$vfbs[key('kv', concat(generate-id(l), '|type'))[1][count(*) = 2][*[2] = 'vnc' or *[2] = 'sdl']
        or (not(key('kv', concat(generate-id(l), '|type'))) and
            (key('kv', concat(generate-id(l), '|vnc'))[count(*) = 2] or key('kv', concat(generate-id(l), '|sdl'))[count(*) = 2]))]"/>
    <xsl:choose>
      <xsl:when test="$typed">
        <xsl:for-each select="$typed[1]">
          <xsl:variable name="lk" select="generate-id(l)"/>
          <xsl:variable name="type-i" select="key('kv', concat($lk, '|type'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="vnc-i" select="key('kv', concat($lk, '|vnc'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="sdl-i" select="key('kv', concat($lk, '|sdl'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="type">
            <xsl:choose>
              <xsl:when test="$type-i"><xsl:value-of select="$type-i/*[2]"/></xsl:when>
              <xsl:when test="$vnc-i">vnc</xsl:when>
              <xsl:otherwise>sdl</xsl:otherwise>
            </xsl:choose>
          </xsl:variable>
          <xsl:choose>
            <xsl:when test="$type-i"><c:claim ref="{generate-id($type-i)}"/></xsl:when>
            <xsl:when test="$type = 'vnc' and string($vnc-i/*[2]) = '1'"><c:claim ref="{generate-id($vnc-i)}"/></xsl:when>
            <xsl:when test="$type = 'sdl' and string($sdl-i/*[2]) = '1'"><c:claim ref="{generate-id($sdl-i)}"/></xsl:when>
          </xsl:choose>
          <xsl:call-template name="graphics-element">
            <xsl:with-param name="type" select="$type"/>
            <xsl:with-param name="lk" select="$lk"/>
            <xsl:with-param name="vncport-default" select="-1"/>
            <xsl:with-param name="carry" select="concat(generate-id(), '|vfb')"/>
          </xsl:call-template>
          <c:claim ref="{generate-id()}"/>
        </xsl:for-each>
      </xsl:when>
      <xsl:when test="$ik != ''">
        <!-- xend <= 3.0.3 PV, and HVM: the image's vnc/sdl keys -->
        <xsl:variable name="vnc-i" select="key('kv', concat($ik, '|vnc'))[1][count(*) = 2][not(l)][starts-with(*[2], '1')]"/>
        <xsl:variable name="sdl-i" select="key('kv', concat($ik, '|sdl'))[1][count(*) = 2][not(l)][starts-with(*[2], '1')]"/>
        <xsl:choose>
          <xsl:when test="$vnc-i">
            <xsl:if test="string($vnc-i/*[2]) = '1'"><c:claim ref="{generate-id($vnc-i)}"/></xsl:if>
            <xsl:call-template name="graphics-element">
              <xsl:with-param name="type" select="'vnc'"/>
              <xsl:with-param name="lk" select="$ik"/>
              <xsl:with-param name="vncport-default">
                <xsl:choose>
                  <xsl:when test="$ver &lt; 2 and $id != ''"><xsl:value-of select="5900 + $id"/></xsl:when>
                  <xsl:otherwise>-1</xsl:otherwise>
                </xsl:choose>
              </xsl:with-param>
            </xsl:call-template>
          </xsl:when>
          <xsl:when test="$sdl-i">
            <xsl:if test="string($sdl-i/*[2]) = '1'"><c:claim ref="{generate-id($sdl-i)}"/></xsl:if>
            <xsl:call-template name="graphics-element">
              <xsl:with-param name="type" select="'sdl'"/>
              <xsl:with-param name="lk" select="$ik"/>
            </xsl:call-template>
          </xsl:when>
        </xsl:choose>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- The <graphics> from the VNC/SDL keys of the list with id LK (a vfb, or the image). -->
  <xsl:template name="graphics-element">
    <xsl:param name="type"/>
    <xsl:param name="lk"/>
    <xsl:param name="vncport-default" select="-1"/>
    <xsl:param name="carry" select="''"/>
    <graphics type="{$type}">
      <xsl:choose>
        <xsl:when test="$type = 'sdl'">
          <xsl:variable name="display-i" select="key('kv', concat($lk, '|display'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="xauth-i" select="key('kv', concat($lk, '|xauthority'))[1][count(*) = 2][not(l)]"/>
          <xsl:if test="$display-i">
            <xsl:attribute name="display"><xsl:value-of select="$display-i/*[2]"/></xsl:attribute>
          </xsl:if>
          <xsl:if test="$xauth-i">
            <xsl:attribute name="xauth"><xsl:value-of select="$xauth-i/*[2]"/></xsl:attribute>
          </xsl:if>
          <c:claim ref="{generate-id($display-i)}"/>
          <c:claim ref="{generate-id($xauth-i)}"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:variable name="unused-i" select="key('kv', concat($lk, '|vncunused'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="display-i" select="key('kv', concat($lk, '|vncdisplay'))[1][count(*) = 2][not(l)]
              [translate(*[2], '0123456789', '') = '' and string(*[2]) != '']"/>
          <xsl:variable name="listen-i" select="key('kv', concat($lk, '|vnclisten'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="passwd-i" select="key('kv', concat($lk, '|vncpasswd'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="keymap-i" select="key('kv', concat($lk, '|keymap'))[1][count(*) = 2][not(l)]"/>
          <xsl:variable name="port">
            <xsl:choose>
              <xsl:when test="$display-i and number($display-i/*[2]) &lt; 5900">
                <xsl:value-of select="5900 + number($display-i/*[2])"/>
              </xsl:when>
              <xsl:when test="$display-i"><xsl:value-of select="number($display-i/*[2])"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="$vncport-default"/></xsl:otherwise>
            </xsl:choose>
          </xsl:variable>
          <xsl:attribute name="port"><xsl:value-of select="$port"/></xsl:attribute>
          <xsl:attribute name="autoport">
            <xsl:choose>
              <xsl:when test="string($unused-i/*[2]) = '1' or $port = -1">yes</xsl:when>
              <xsl:otherwise>no</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:if test="$listen-i">
            <xsl:attribute name="listen"><xsl:value-of select="$listen-i/*[2]"/></xsl:attribute>
          </xsl:if>
          <xsl:if test="$keymap-i">
            <xsl:attribute name="keymap"><xsl:value-of select="$keymap-i/*[2]"/></xsl:attribute>
          </xsl:if>
          <xsl:if test="$passwd-i">
            <xsl:attribute name="passwd"><xsl:value-of select="$passwd-i/*[2]"/></xsl:attribute>
          </xsl:if>
          <c:claim ref="{generate-id($keymap-i)}"/>
          <c:claim ref="{generate-id($passwd-i)}"/>
          <!-- libvirt writes (vncdisplay) only for a fixed port: beside (vncunused 1) it is kept -->
          <xsl:if test="$display-i and number($display-i/*[2]) &lt; 5900 and string($unused-i/*[2]) != '1'">
            <c:claim ref="{generate-id($display-i)}"/>
          </xsl:if>
          <xsl:if test="string($unused-i/*[2]) = '0' or string($unused-i/*[2]) = '1'">
            <c:claim ref="{generate-id($unused-i)}"/>
          </xsl:if>
          <xsl:if test="$listen-i">
            <listen type="address" address="{$listen-i/*[2]}"/>
            <c:claim ref="{generate-id($listen-i)}"/>
          </xsl:if>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="$carry != ''">
        <c:carry list="{$carry}" n="1" table="graphics"/>
      </xsl:if>
    </graphics>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Sound                                                               -->
  <!-- ================================================================== -->

  <xsl:template name="sound">
    <xsl:param name="ik"/>
    <xsl:variable name="s" select="key('kv', concat($ik, '|soundhw'))[1][count(*) = 2][not(l)][string(*[2]) != '']"/>
    <xsl:variable name="known" select="' sb16 es1370 pcspk ac97 ich6 ich7 ich9 usb '"/>
    <xsl:choose>
      <xsl:when test="string($s/*[2]) = 'all'">
        <!-- libvirt: only the two models xen's qemu historically had; the item is also kept -->
        <sound model="sb16"/>
        <sound model="es1370"/>
      </xsl:when>
      <xsl:when test="$s">
        <xsl:variable name="models" select="str:tokenize(string($s/*[2]), ',')"/>
        <xsl:variable name="unknown">
          <xsl:for-each select="$models">
            <xsl:if test="not(contains($known, concat(' ', ., ' ')))">x</xsl:if>
          </xsl:for-each>
        </xsl:variable>
        <xsl:for-each select="$models">
          <xsl:if test="contains($known, concat(' ', ., ' '))">
            <sound model="{.}"/>
          </xsl:if>
        </xsl:for-each>
        <xsl:if test="$unknown = '' and count($models) = string-length(translate($s/*[2], translate($s/*[2], ',', ''), '')) + 1">
          <c:claim ref="{generate-id($s)}"/>
        </xsl:if>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- PCI                                                                 -->
  <!-- ================================================================== -->

  <!-- The current node is a (device (pci ...)) item. -->
  <xsl:template name="pci">
    <xsl:variable name="hostdevs">
      <xsl:for-each select="l/l[*[1][not(self::l)] = 'dev']">
        <xsl:call-template name="pci-dev"/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:copy-of select="$hostdevs"/>
    <xen:pci>
      <xsl:if test="exsl:node-set($hostdevs)/hostdev">
        <xsl:attribute name="c:optional">1</xsl:attribute>
      </xsl:if>
      <c:carry list="{generate-id()}|pci" n="1" table="pci"/>
    </xen:pci>
    <c:claim ref="{generate-id()}"/>
  </xsl:template>

  <!-- The current node is a (dev (domain D) (bus B) (slot S) (func F) ...) list. -->
  <xsl:template name="pci-dev">
    <xsl:variable name="dk" select="generate-id()"/>
    <xsl:variable name="parts" select="key('kv', concat($dk, '|domain'))[1] | key('kv', concat($dk, '|bus'))[1]
        | key('kv', concat($dk, '|slot'))[1] | key('kv', concat($dk, '|func'))[1]"/>
    <xsl:variable name="nums">
      <xsl:for-each select="$parts[count(*) = 2][not(l)]">
        <xsl:variable name="n">
          <xsl:call-template name="c-int">
            <xsl:with-param name="s" select="string(*[2])"/>
          </xsl:call-template>
        </xsl:variable>
        <n k="{*[1]}" v="{$n}"/>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="N" select="exsl:node-set($nums)/n[@v != '']"/>
    <xsl:if test="count($N) = 4">
      <xsl:variable name="vdevfn-i" select="key('kv', concat($dk, '|vdevfn'))[1][count(*) = 2][not(l)]"/>
      <xsl:variable name="vdevfn">
        <xsl:if test="$vdevfn-i">
          <xsl:call-template name="c-int">
            <xsl:with-param name="s" select="string($vdevfn-i/*[2])"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:variable>
      <xsl:variable name="opts" select="l[*[1][not(self::l)] = 'opts'][count(*) = 2]/l[count(*) = 2][not(l)]"/>
      <xsl:variable name="permissive" select="$opts[*[1] = 'permissive'][*[2] = '0' or *[2] = '1'][1]"/>
      <hostdev mode="subsystem" type="pci" managed="no">
        <source>
          <xsl:if test="$permissive">
            <xsl:attribute name="writeFiltering">
              <xsl:choose>
                <xsl:when test="$permissive/*[2] = '1'">no</xsl:when>
                <xsl:otherwise>yes</xsl:otherwise>
              </xsl:choose>
            </xsl:attribute>
            <c:claim ref="{generate-id($permissive/..)}"/>
          </xsl:if>
          <address>
            <xsl:attribute name="domain">
              <xsl:call-template name="hex"><xsl:with-param name="n" select="$N[@k = 'domain']/@v"/><xsl:with-param name="width" select="4"/></xsl:call-template>
            </xsl:attribute>
            <xsl:attribute name="bus">
              <xsl:call-template name="hex"><xsl:with-param name="n" select="$N[@k = 'bus']/@v"/><xsl:with-param name="width" select="2"/></xsl:call-template>
            </xsl:attribute>
            <xsl:attribute name="slot">
              <xsl:call-template name="hex"><xsl:with-param name="n" select="$N[@k = 'slot']/@v"/><xsl:with-param name="width" select="2"/></xsl:call-template>
            </xsl:attribute>
            <xsl:attribute name="function">
              <xsl:call-template name="hex"><xsl:with-param name="n" select="$N[@k = 'func']/@v"/><xsl:with-param name="width" select="1"/></xsl:call-template>
            </xsl:attribute>
          </address>
        </source>
        <xsl:for-each select="$parts">
          <c:claim ref="{generate-id()}"/>
        </xsl:for-each>
        <xsl:if test="$vdevfn != '' and $vdevfn &lt; 256">
          <address type="pci" domain="0x0000" bus="0x00">
            <xsl:attribute name="slot">
              <xsl:call-template name="hex"><xsl:with-param name="n" select="floor($vdevfn div 8)"/><xsl:with-param name="width" select="2"/></xsl:call-template>
            </xsl:attribute>
            <xsl:attribute name="function">
              <xsl:call-template name="hex"><xsl:with-param name="n" select="$vdevfn mod 8"/><xsl:with-param name="width" select="1"/></xsl:call-template>
            </xsl:attribute>
          </address>
          <c:claim ref="{generate-id($vdevfn-i)}"/>
        </xsl:if>
        <xsl:for-each select="$opts[*[1] != 'permissive']">
          <xen:opt name="{*[1]}" value="{*[2]}"/>
          <c:claim ref="{generate-id(..)}"/>
        </xsl:for-each>
        <c:carry list="{generate-id(..)}|dev" n="{position()}" table="hostdev"/>
      </hostdev>
      <c:claim ref="{$dk}"/>
    </xsl:if>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- USB controllers (vusb)                                              -->
  <!-- ================================================================== -->

  <!-- The current node is a (device (vusb ...)) item. -->
  <xsl:template name="vusb">
    <xsl:param name="index"/>
    <xsl:variable name="lk" select="generate-id(l)"/>
    <xsl:variable name="ver-i" select="key('kv', concat($lk, '|usb-ver'))[1][count(*) = 2][not(l)][*[2] = '1' or *[2] = '2']"/>
    <xsl:variable name="ports-i" select="key('kv', concat($lk, '|num-ports'))[1][count(*) = 2][not(l)]
        [translate(*[2], '0123456789', '') = '' and string(*[2]) != '']"/>
    <controller type="usb" index="{$index}">
      <!-- xm's default is version 2; another value stays as xen:usb-ver -->
      <xsl:attribute name="model">
        <xsl:choose>
          <xsl:when test="$ver-i"><xsl:value-of select="concat('qusb', $ver-i/*[2])"/></xsl:when>
          <xsl:otherwise>qusb2</xsl:otherwise>
        </xsl:choose>
      </xsl:attribute>
      <xsl:if test="$ports-i">
        <xsl:attribute name="ports"><xsl:value-of select="number($ports-i/*[2])"/></xsl:attribute>
      </xsl:if>
      <c:claim ref="{generate-id($ver-i)}"/>
      <c:claim ref="{generate-id($ports-i)}"/>
      <c:carry list="{generate-id()}|vusb" n="1" table="controller"/>
    </controller>
    <c:claim ref="{generate-id()}"/>
  </xsl:template>

  <!-- ================================================================== -->
  <!-- Small helpers                                                       -->
  <!-- ================================================================== -->

  <xsl:template name="popcount">
    <xsl:param name="n"/>
    <xsl:param name="acc" select="0"/>
    <xsl:choose>
      <xsl:when test="$n &lt; 1"><xsl:value-of select="$acc"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="popcount">
          <xsl:with-param name="n" select="floor($n div 2)"/>
          <xsl:with-param name="acc" select="$acc + ($n mod 2)"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="pow2">
    <xsl:param name="k"/>
    <xsl:param name="acc" select="1"/>
    <xsl:choose>
      <xsl:when test="$k &lt;= 0"><xsl:value-of select="$acc"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="pow2">
          <xsl:with-param name="k" select="$k - 1"/>
          <xsl:with-param name="acc" select="$acc * 2"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A number as C's strtol(s, NULL, 0) reads it: 0x hex, leading 0 octal, else decimal; '' if not. -->
  <xsl:template name="c-int">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="(starts-with($s, '0x') or starts-with($s, '0X')) and string-length($s) &gt; 2
          and translate(substring($s, 3), '0123456789abcdefABCDEF', '') = ''">
        <xsl:call-template name="radix-digits">
          <xsl:with-param name="s" select="translate(substring($s, 3), 'ABCDEF', 'abcdef')"/>
          <xsl:with-param name="base" select="16"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="starts-with($s, '0') and string-length($s) &gt; 1 and translate($s, '01234567', '') = ''">
        <xsl:call-template name="radix-digits">
          <xsl:with-param name="s" select="$s"/>
          <xsl:with-param name="base" select="8"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$s != '' and translate($s, '0123456789', '') = ''">
        <xsl:value-of select="number($s)"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- Digits S in BASE: leading zeros skipped, and more than 64 significant digits (a value
       far beyond any the mapping uses, which C's strtol would clamp) are no number (''). -->
  <xsl:template name="radix-digits">
    <xsl:param name="s"/>
    <xsl:param name="base"/>
    <xsl:variable name="lead" select="substring(translate($s, '0', ''), 1, 1)"/>
    <xsl:variable name="significant" select="substring($s, string-length(substring-before($s, $lead)) + 1)"/>
    <xsl:choose>
      <xsl:when test="$lead = ''">0</xsl:when>
      <xsl:when test="string-length($significant) &lt;= 64">
        <xsl:call-template name="radix">
          <xsl:with-param name="s" select="$significant"/>
          <xsl:with-param name="base" select="$base"/>
        </xsl:call-template>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="radix">
    <xsl:param name="s"/>
    <xsl:param name="base"/>
    <xsl:param name="acc" select="0"/>
    <xsl:choose>
      <xsl:when test="$s = ''"><xsl:value-of select="$acc"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="radix">
          <xsl:with-param name="s" select="substring($s, 2)"/>
          <xsl:with-param name="base" select="$base"/>
          <xsl:with-param name="acc" select="$acc * $base + string-length(substring-before('0123456789abcdef', substring($s, 1, 1)))"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- '0x' and N in lowercase hex, zero-padded to WIDTH digits. -->
  <xsl:template name="hex">
    <xsl:param name="n"/>
    <xsl:param name="width" select="1"/>
    <xsl:variable name="digits">
      <xsl:call-template name="hex-digits">
        <xsl:with-param name="n" select="number($n)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:value-of select="concat('0x', substring('00000000', 1, $width - string-length($digits)), $digits)"/>
  </xsl:template>

  <xsl:template name="hex-digits">
    <xsl:param name="n"/>
    <xsl:if test="$n &gt;= 16">
      <xsl:call-template name="hex-digits">
        <xsl:with-param name="n" select="floor($n div 16)"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:value-of select="substring('0123456789abcdef', ($n mod 16) + 1, 1)"/>
  </xsl:template>


  <!-- ================================================================== -->
  <!-- Pass 2: copy the result; kept items at each c:carry                 -->
  <!-- ================================================================== -->

  <!-- The root: a literal element, so that xmlns:xen is declared once, here. -->
  <xsl:template match="/domain" mode="p2">
    <domain>
      <xsl:copy-of select="@*[namespace-uri() = '']"/>
      <xsl:apply-templates select="node()" mode="p2"/>
    </domain>
  </xsl:template>

  <xsl:template match="*" mode="p2">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:apply-templates mode="p2"/>
    </xsl:copy>
  </xsl:template>

  <!-- An element that stays only when something ends up inside it. -->
  <xsl:template match="*[@c:optional = '1']" mode="p2">
    <xsl:variable name="content">
      <xsl:apply-templates mode="p2"/>
    </xsl:variable>
    <xsl:if test="exsl:node-set($content)/node()">
      <xsl:element name="{name()}" namespace="{namespace-uri()}">
        <xsl:copy-of select="@*[namespace-uri() = '']"/>
        <xsl:copy-of select="$content"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <xsl:template match="text()" mode="p2">
    <xsl:copy/>
  </xsl:template>

  <xsl:template match="c:claim" mode="p2"/>

  <xsl:template match="c:carry" mode="p2">
    <xsl:variable name="carry" select="."/>
    <xsl:variable name="filter" select="string(@filter)"/>
    <xsl:variable name="list" select="string(@list)"/>
    <xsl:variable name="n" select="number(@n)"/>
    <xsl:for-each select="$input">
      <xsl:variable name="L" select="key('kv', $list)[$n]"/>
      <xsl:variable name="kept" select="set:difference($L/*[position() &gt; 1], $claimed)
          [$filter = ''
           or ($filter = 'device' and *[1][not(self::l)] = 'device')
           or ($filter = 'not-device' and not(*[1][not(self::l)] = 'device'))]"/>
      <xsl:choose>
        <!-- only a kept list can become a named element: only then is the table needed -->
        <xsl:when test="$kept[self::l] and $carry/@table != ''">
          <xsl:call-template name="keep">
            <xsl:with-param name="kept" select="$kept"/>
            <xsl:with-param name="ctx" select="generate-id($L)"/>
            <xsl:with-param name="table" select="string($carry/@table)"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:when test="$kept">
          <xen:sxp>
            <xsl:copy-of select="$kept"/>
          </xen:sxp>
        </xsl:when>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>

  <!--
    The KEPT items of one context, the list with id CTX: a named xen: element for each item whose
    key has a row in the vocabulary of the TABLE and whose value fits the row's type (the first
    kept item per key), the rest in xen:sxp, each in input order.
  -->
  <xsl:template name="keep">
    <xsl:param name="kept"/>
    <xsl:param name="ctx"/>
    <xsl:param name="table"/>
    <!-- '|KEY=TYPE|...|': the rows of this context -->
    <xsl:variable name="rows" select="concat('|', substring-before(substring-after($vocabulary-table, concat('#', $table, '|')), '#'))"/>
    <!-- one letter per kept item: t (text), d (dict), p (pairs), or x (xen:sxp) -->
    <xsl:variable name="shapes-rtf">
      <xsl:for-each select="$kept">
        <xsl:variable name="k" select="string(self::l/*[1][not(self::l)])"/>
        <xsl:variable name="t" select="substring-before(substring-after($rows, concat('|', $k, '=')), '|')"/>
        <xsl:choose>
          <xsl:when test="$t = '' or contains($k, '|')">x</xsl:when>
          <!-- another item of this list has the key: only the first kept one is named -->
          <xsl:when test="key('kv', concat($ctx, '|', $k))[2]
              and count(set:difference(key('kv', concat($ctx, '|', $k)), $claimed)[1] | .) != 1">x</xsl:when>
          <xsl:when test="$t = 'text' and count(*) = 2 and not(l)">t</xsl:when>
          <xsl:when test="$t = 'int' and count(*) = 2 and not(l) and string(*[2]) != ''
              and translate(*[2], '0123456789', '') = '' and number(*[2]) &lt; 4294967296">t</xsl:when>
          <xsl:when test="$t = 'dict' and count(*) = 2 and *[2][self::l]">d</xsl:when>
          <xsl:when test="starts-with($t, 'enum ') and count(*) = 2 and not(l) and string(*[2]) != ''
              and contains(concat(substring($t, 5), ' '), concat(' ', *[2], ' '))">t</xsl:when>
          <xsl:when test="$t = 'pairs'">p</xsl:when>
          <xsl:otherwise>x</xsl:otherwise>
        </xsl:choose>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="shapes" select="string($shapes-rtf)"/>
    <xsl:for-each select="$kept">
      <xsl:variable name="shape" select="substring($shapes, position(), 1)"/>
      <xsl:if test="$shape != 'x'">
        <xsl:element name="xen:{*[1]}" namespace="urn:xlate:xen:1">
          <xsl:choose>
            <xsl:when test="$shape = 'd'">
              <xsl:call-template name="xen-pairs">
                <xsl:with-param name="pairs" select="l/*"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:when test="$shape = 'p'">
              <xsl:call-template name="xen-pairs">
                <xsl:with-param name="pairs" select="*[position() &gt; 1]"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="*[2]"/>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:element>
      </xsl:if>
    </xsl:for-each>
    <xsl:variable name="rest" select="$kept[substring($shapes, position(), 1) = 'x']"/>
    <xsl:if test="$rest">
      <xen:sxp>
        <xsl:copy-of select="$rest"/>
      </xen:sxp>
    </xsl:if>
  </xsl:template>

  <!-- (k v) pairs as xen:k elements; anything else into a xen:sxp child. -->
  <xsl:template name="xen-pairs">
    <xsl:param name="pairs"/>
    <xsl:variable name="good" select="$pairs[self::l][count(*) = 2][not(l)]
        [string-length(*[1]) &gt; 0]
        [translate(substring(*[1], 1, 1), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_', '') = '']
        [translate(*[1], 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.-', '') = '']"/>
    <xsl:for-each select="$good">
      <xsl:element name="xen:{*[1]}" namespace="urn:xlate:xen:1">
        <xsl:value-of select="*[2]"/>
      </xsl:element>
    </xsl:for-each>
    <xsl:variable name="bad" select="$pairs[count(. | $good) != count($good)]"/>
    <xsl:if test="$bad">
      <xen:sxp>
        <xsl:copy-of select="$bad"/>
      </xen:sxp>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
