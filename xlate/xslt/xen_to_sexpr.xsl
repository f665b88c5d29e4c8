<?xml version="1.0" encoding="UTF-8"?>
<!--
  Xen XML (the hub) -> SEXPR codec tree: the (vm ...) S-expression that libvirt's xend driver sent
  to xend to define a domain.

  Meaning follows libvirt's xenFormatSxpr and its helpers (src/xenconfig/xen_sxpr.c, libvirt <= 5.5;
  src/xen/xend_internal.c before), applied to the domain as libvirt's XML parser understands it
  (units, defaults, disk order). Deliberate differences are listed in docs/mapping.md,
  section "Xen XML -> SEXPR".

  Output: the codec tree of docs/architecture.md. <s> is written quoted, <a> bare; the choice
  follows what libvirt printed (quoted strings, bare numbers and keywords).

  Parameter xend-version: '' (newest libvirt behaviour) or 1..4, the xend config dialect of the
  old libvirt harness (1 = xend 3.0.2, 2 = 3.0.3, 3 = 3.0.4, 4 = 3.1.0).

  Everything in the input that the output cannot carry is reported as a loss:
  <xsl:message>xlate:loss|CODE|PATH|DETAIL</xsl:message>. An audit pass (mode "audit") walks the
  whole input against the $known table, so nothing unmapped is dropped silently; why a known
  element or attribute is not written in a configuration is decided by the templates of
  modes "drop-reason" and "attr-reason", found by their match pattern.

  XSLT 1.0 + EXSLT (exsl:node-set, str:tokenize); runs unchanged under xsltproc.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xen="urn:xlate:xen:1"
    xmlns:exsl="http://exslt.org/common"
    xmlns:str="http://exslt.org/strings"
    xmlns:t="urn:xlate:xen-to-sexpr:tables"
    exclude-result-prefixes="xen exsl str t">

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="xend-version" select="''"/>

  <xsl:variable name="XEN" select="'urn:xlate:xen:1'"/>
  <xsl:variable name="d" select="/domain"/>

  <!-- The dialect as a number; the newest libvirt behaviour counts as 5. -->
  <xsl:variable name="v">
    <xsl:choose>
      <xsl:when test="normalize-space($xend-version) = ''">5</xsl:when>
      <xsl:otherwise><xsl:value-of select="number(normalize-space($xend-version))"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="ver" select="number($v)"/>

  <xsl:variable name="os-type" select="normalize-space($d/os/type)"/>
  <xsl:variable name="hvm" select="$os-type = 'hvm'"/>
  <xsl:variable name="has-bootloader" select="string-length($d/bootloader) &gt; 0"/>
  <!-- A bootloader picks the kernel of a PV guest: libvirt writes no kernel, initrd or root then.
       (libvirt dropped the rest of the image too; xlate keeps the device model, timers and
       graphics, which xend still reads. An HVM guest always boots through its loader.) -->
  <xsl:variable name="full-image" select="$hvm or not($has-bootloader)"/>
  <!-- Where the graphics go. libvirt wrote HVM graphics (and PV ones before xend 3.0.4) as image
       keys, and PV ones as a vfb device. An HVM graphics device that carries vfb settings (xen:
       children, from a (device (vfb ...)) that xend 3.1 wrote for HVM guests too) goes back to a
       vfb device, where those settings belong. -->
  <xsl:variable name="graphics" select="$d/devices/graphics[1][@type = 'vnc' or @type = 'sdl']"/>
  <xsl:variable name="hvm-vfb" select="$hvm and $ver &gt;= 4 and boolean($graphics/xen:*)"/>
  <xsl:variable name="graphics-in-image" select="($hvm or $ver &lt; 3) and not($hvm-vfb)"/>
  <xsl:variable name="graphics-as-vfb" select="(not($hvm) and $ver &gt;= 3) or $hvm-vfb"/>
  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="default-loader" select="'/usr/lib/xen/boot/hvmloader'"/>

  <!-- ============================================================================ tables -->

  <!-- Every core element the mapping reads: its signature (parent/name), the attributes it
       reads (attrs), the attributes xend works out by itself (implied: reported as SXP-IMPLIED),
       and leaf="1" where the element holds only text. Anything not listed is SXP-UNSUPPORTED.
       Conditional drops (a setting only some guests can carry) are templates in modes
       "drop-reason" (elements) and "attr-reason" (attributes), one per signature. -->
  <xsl:variable name="known-rtf">
    <t:k el="/domain" attrs="type" implied="id"/>
    <t:k el="domain/name" leaf="1"/>
    <t:k el="domain/uuid" leaf="1"/>
    <t:k el="domain/description" leaf="1"/>
    <t:k el="domain/memory" attrs="unit" leaf="1"/>
    <t:k el="domain/currentMemory" attrs="unit" leaf="1"/>
    <t:k el="domain/vcpu" attrs="current cpuset placement" leaf="1"/>
    <t:k el="domain/bootloader" leaf="1"/>
    <t:k el="domain/bootloader_args" leaf="1"/>
    <t:k el="domain/on_poweroff" leaf="1"/>
    <t:k el="domain/on_reboot" leaf="1"/>
    <t:k el="domain/on_crash" leaf="1"/>
    <t:k el="domain/os"/>
    <t:k el="os/type" implied="arch machine" leaf="1"/>
    <t:k el="os/loader" attrs="type" leaf="1"/>
    <t:k el="os/kernel" leaf="1"/>
    <t:k el="os/initrd" leaf="1"/>
    <t:k el="os/cmdline" leaf="1"/>
    <t:k el="os/root" leaf="1"/>
    <t:k el="os/boot" attrs="dev" leaf="1"/>
    <t:k el="domain/features"/>
    <t:k el="features/acpi" attrs="state" leaf="1"/>
    <t:k el="features/apic" attrs="state" leaf="1"/>
    <t:k el="features/pae" attrs="state" leaf="1"/>
    <t:k el="features/hap" attrs="state" leaf="1"/>
    <t:k el="features/viridian" attrs="state" leaf="1"/>
    <t:k el="domain/clock" attrs="offset adjustment basis"/>
    <t:k el="clock/timer" attrs="name present" leaf="1"/>
    <t:k el="domain/devices"/>
    <t:k el="devices/emulator" leaf="1"/>
    <t:k el="devices/disk" attrs="type device"/>
    <t:k el="disk/driver" attrs="name type" leaf="1"/>
    <t:k el="disk/source" attrs="file dev" leaf="1"/>
    <t:k el="disk/backingStore" leaf="1"/>
    <t:k el="disk/target" attrs="dev bus" leaf="1"/>
    <t:k el="disk/readonly" leaf="1"/>
    <t:k el="disk/shareable" leaf="1"/>
    <t:k el="disk/address" attrs="type controller bus target unit" leaf="1"/>
    <t:k el="devices/controller" attrs="type index model ports" leaf="1"/>
    <t:k el="devices/interface" attrs="type"/>
    <t:k el="interface/mac" attrs="address" leaf="1"/>
    <t:k el="interface/source" attrs="bridge network" leaf="1"/>
    <t:k el="interface/script" attrs="path" leaf="1"/>
    <t:k el="interface/ip" attrs="address family" leaf="1"/>
    <t:k el="interface/target" attrs="dev" leaf="1"/>
    <t:k el="interface/model" attrs="type" leaf="1"/>
    <t:k el="interface/bandwidth"/>
    <t:k el="bandwidth/outbound" attrs="average" leaf="1"/>
    <t:k el="devices/hostdev" attrs="mode type managed"/>
    <t:k el="hostdev/source" attrs="writeFiltering"/>
    <t:k el="hostdev/address" attrs="type domain bus slot function" leaf="1"/>
    <t:k el="source/address" attrs="domain bus slot function" leaf="1"/>
    <t:k el="devices/graphics" attrs="type port autoport listen passwd keymap display xauth"/>
    <t:k el="graphics/listen" attrs="type address" leaf="1"/>
    <t:k el="devices/input" attrs="type bus" leaf="1"/>
    <t:k el="devices/serial" attrs="type"/>
    <t:k el="serial/source" attrs="path mode host service" leaf="1"/>
    <t:k el="serial/protocol" attrs="type" leaf="1"/>
    <t:k el="serial/target" attrs="port" leaf="1"/>
    <t:k el="devices/parallel" attrs="type"/>
    <t:k el="parallel/source" attrs="path mode host service" leaf="1"/>
    <t:k el="parallel/protocol" attrs="type" leaf="1"/>
    <t:k el="parallel/target" attrs="port" leaf="1"/>
    <t:k el="devices/console" attrs="type" implied="tty"/>
    <t:k el="console/source" attrs="path mode host service" leaf="1"/>
    <t:k el="console/protocol" attrs="type" leaf="1"/>
    <t:k el="console/target" attrs="type port" leaf="1"/>
    <t:k el="devices/sound" attrs="model" leaf="1"/>
    <t:k el="devices/video"/>
    <t:k el="video/model" attrs="type" leaf="1"/>
    <t:k el="devices/memballoon" attrs="model" leaf="1"/>
  </xsl:variable>
  <xsl:variable name="known" select="exsl:node-set($known-rtf)/t:k"/>
  <!-- The same table as one string, '|EL=LEAF;ATTRS;IMPLIED|...|' (LEAF is 'L' or empty): the
       audit looks up every element of the input, and a string search costs a fraction of a
       predicate over 70 rows (xen->sexpr took twice as long). -->
  <xsl:variable name="known-index-rtf">
    <xsl:for-each select="$known">
      <xsl:value-of select="concat('|', @el, '=', substring('L', 1, count(@leaf)), ';', @attrs, ';', @implied)"/>
    </xsl:for-each>
    <xsl:text>|</xsl:text>
  </xsl:variable>
  <xsl:variable name="known-index" select="string($known-index-rtf)"/>

  <!-- Core elements whose xen: children have an SXP context, and that context. -->
  <xsl:variable name="xen-contexts" select="' domain os features clock devices disk interface hostdev graphics controller '"/>

  <!-- SXP keys libvirt printed bare; every other key is printed quoted. -->
  <xsl:variable name="bare-keys"
      select="' memory maxmem vcpus vcpu_avail boot acpi apic pae hap viridian usb usbdevice parallel serial hpet vnc vncunused vncdisplay sdl rtc_timeoffset localtime type domain bus slot func stdvga '"/>

  <!-- os/boot/@dev -> the letter of xend's (boot ...) string. -->
  <xsl:variable name="boot-rtf">
    <t:b dev="fd">a</t:b>
    <t:b dev="hd">c</t:b>
    <t:b dev="cdrom">d</t:b>
    <t:b dev="network">n</t:b>
  </xsl:variable>
  <xsl:variable name="boot-letters" select="exsl:node-set($boot-rtf)/t:b"/>

  <!-- Memory units libvirt accepts (case-insensitive), as bytes. -->
  <xsl:variable name="unit-rtf">
    <t:u name="b">1</t:u><t:u name="byte">1</t:u><t:u name="bytes">1</t:u>
    <t:u name="k">1024</t:u><t:u name="kib">1024</t:u><t:u name="kb">1000</t:u>
    <t:u name="m">1048576</t:u><t:u name="mib">1048576</t:u><t:u name="mb">1000000</t:u>
    <t:u name="g">1073741824</t:u><t:u name="gib">1073741824</t:u><t:u name="gb">1000000000</t:u>
    <t:u name="t">1099511627776</t:u><t:u name="tib">1099511627776</t:u><t:u name="tb">1000000000000</t:u>
    <t:u name="p">1125899906842624</t:u><t:u name="pib">1125899906842624</t:u><t:u name="pb">1000000000000000</t:u>
  </xsl:variable>
  <xsl:variable name="units" select="exsl:node-set($unit-rtf)/t:u"/>

  <!-- Lifecycle actions libvirt accepts; on_crash has two more. -->
  <xsl:variable name="actions" select="' destroy restart preserve rename-restart '"/>
  <xsl:variable name="crash-actions" select="' destroy restart preserve rename-restart coredump-destroy coredump-restart '"/>

  <!-- ============================================================================ entry -->

  <xsl:template match="/">
    <xsl:if test="not(domain)">
      <xsl:call-template name="fail">
        <xsl:with-param name="path" select="'/'"/>
        <xsl:with-param name="message"
            select="concat('not a domain document: the root element is &lt;', local-name(*), '&gt;')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:apply-templates select="domain"/>
  </xsl:template>

  <xsl:template match="/domain">
    <xsl:call-template name="check-document"/>
    <xsl:variable name="derived">
        <xsl:call-template name="item">
          <xsl:with-param name="key" select="'name'"/>
          <xsl:with-param name="value" select="string(name)"/>
        </xsl:call-template>
        <xsl:call-template name="memory"/>
        <xsl:call-template name="vcpus"/>
        <xsl:apply-templates select="vcpu/@cpuset"/>
        <xsl:apply-templates select="uuid"/>
        <xsl:apply-templates select="description"/>
        <xsl:call-template name="bootloader"/>
        <xsl:call-template name="lifecycle">
          <xsl:with-param name="key" select="'on_poweroff'"/>
          <xsl:with-param name="default" select="'destroy'"/>
        </xsl:call-template>
        <xsl:call-template name="lifecycle">
          <xsl:with-param name="key" select="'on_reboot'"/>
          <xsl:with-param name="default" select="'restart'"/>
        </xsl:call-template>
        <xsl:call-template name="lifecycle">
          <xsl:with-param name="key" select="'on_crash'"/>
          <xsl:with-param name="default" select="'destroy'"/>
          <xsl:with-param name="allowed" select="$crash-actions"/>
        </xsl:call-template>
        <xsl:call-template name="image"/>
        <xsl:call-template name="item">
          <xsl:with-param name="key" select="'localtime'"/>
          <xsl:with-param name="value" select="$localtime"/>
        </xsl:call-template>
        <xsl:call-template name="disks"/>
        <xsl:apply-templates select="devices/interface" mode="device"/>
        <xsl:call-template name="pci"/>
        <xsl:if test="$graphics-as-vfb">
          <xsl:apply-templates select="$graphics" mode="vfb"/>
        </xsl:if>
        <xsl:apply-templates select="devices/controller[@type = 'usb'][@model = 'qusb1' or @model = 'qusb2']" mode="device"/>
        <xsl:apply-templates select="devices/xen:*[not(self::xen:sxp or self::xen:pci)]
                                                  [count(. | $vkbd-in-place) != count($vkbd-in-place)]" mode="device"/>
    </xsl:variable>
    <sexpr>
      <l>
        <a>vm</a>
        <xsl:call-template name="context-items">
          <xsl:with-param name="items" select="$derived"/>
          <xsl:with-param name="ctx" select="."/>
        </xsl:call-template>
        <xsl:apply-templates select="devices/xen:sxp" mode="xen"/>
      </l>
    </sexpr>
    <xsl:apply-templates select="." mode="audit"/>
  </xsl:template>

  <!-- What makes the document unconvertible. -->
  <xsl:template name="check-document">
    <xsl:variable name="xv" select="normalize-space($xend-version)"/>
    <xsl:if test="$xv != '' and not($xv = '1' or $xv = '2' or $xv = '3' or $xv = '4')">
      <xsl:call-template name="fail">
        <xsl:with-param name="path" select="'/domain'"/>
        <xsl:with-param name="message"
            select="concat('unknown xend config version ', $xv, ' (known: 1 to 4, or empty for the newest)')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="@type and @type != 'xen'">
      <xsl:call-template name="fail">
        <xsl:with-param name="path" select="'/domain/@type'"/>
        <xsl:with-param name="message"
            select="concat('not a Xen domain: type is ', @type, ', SEXPR describes Xen domains only')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="os/type and not($os-type = 'hvm' or $os-type = 'linux' or $os-type = 'xen')">
      <xsl:call-template name="fail">
        <xsl:with-param name="path" select="'/domain/os/type'"/>
        <xsl:with-param name="message"
            select="concat('os type ', $os-type, ' has no xend image (known: hvm, linux, xen)')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="normalize-space(name) = ''">
      <xsl:call-template name="fail">
        <xsl:with-param name="path" select="'/domain'"/>
        <xsl:with-param name="message" select="'the domain has no &lt;name&gt;, which xend requires'"/>
      </xsl:call-template>
    </xsl:if>
    <!-- xend lists an HVM guest's serial ports from 0, an entry for each: a port must be a
         number, and not so high that the list becomes a bomb (libvirt reads unsigned ints). -->
    <xsl:variable name="bad-port" select="devices/serial/target/@port[not(normalize-space(.) != ''
        and translate(normalize-space(.), '0123456789', '') = '' and number(.) &lt;= 65535)][1]"/>
    <xsl:if test="$hvm and $bad-port">
      <xsl:call-template name="fail">
        <xsl:with-param name="path"
            select="concat('/domain/devices/serial[', count($bad-port/../../preceding-sibling::serial) + 1, ']/target/@port')"/>
        <xsl:with-param name="message"
            select="concat('serial port ', $bad-port, ' is not a port xend can list (a number from 0 to 65535)')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="not(memory)">
      <xsl:call-template name="fail">
        <xsl:with-param name="path" select="'/domain'"/>
        <xsl:with-param name="message" select="'the domain has no &lt;memory&gt;, which xend requires'"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- ====================================================================== domain-wide -->

  <xsl:template name="memory">
    <xsl:variable name="max">
      <xsl:call-template name="kib">
        <xsl:with-param name="node" select="memory"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="given">
      <xsl:choose>
        <xsl:when test="currentMemory">
          <xsl:call-template name="kib">
            <xsl:with-param name="node" select="currentMemory"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:otherwise>0</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <!-- libvirt: no current size, or one above the maximum, means the maximum. -->
    <xsl:variable name="cur">
      <xsl:choose>
        <xsl:when test="number($given) = 0 or number($given) &gt; number($max)">
          <xsl:value-of select="$max"/>
        </xsl:when>
        <xsl:otherwise><xsl:value-of select="$given"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="currentMemory and number($given) &gt; number($max)">
      <xsl:call-template name="loss">
        <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
        <xsl:with-param name="node" select="currentMemory"/>
        <xsl:with-param name="detail"
            select="concat('current memory ', $given, ' KiB is above the maximum ', $max, ' KiB; the maximum was written')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'memory'"/>
      <xsl:with-param name="value" select="format-number(ceiling(number($cur) div 1024), '0')"/>
    </xsl:call-template>
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'maxmem'"/>
      <xsl:with-param name="value" select="format-number(ceiling(number($max) div 1024), '0')"/>
    </xsl:call-template>
  </xsl:template>

  <!-- The size in a memory element as libvirt stores it: KiB, rounded up. Reports a loss when
       xend's MiB cannot hold it exactly. -->
  <xsl:template name="kib">
    <xsl:param name="node"/>
    <xsl:variable name="value" select="normalize-space($node)"/>
    <xsl:variable name="unit" select="translate(normalize-space($node/@unit), $upper, $lower)"/>
    <xsl:variable name="scale">
      <xsl:choose>
        <xsl:when test="$unit = ''">1024</xsl:when>
        <xsl:otherwise><xsl:value-of select="$units[@name = $unit]"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="string($scale) = ''">
      <xsl:call-template name="fail">
        <xsl:with-param name="node" select="$node/@unit"/>
        <xsl:with-param name="message" select="concat('unknown memory unit ', $node/@unit)"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="$value = '' or translate($value, '0123456789', '') != ''">
      <xsl:call-template name="fail">
        <xsl:with-param name="node" select="$node"/>
        <xsl:with-param name="message" select="concat('memory size ', $value, ' is not a whole number')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:variable name="bytes" select="number($value) * number($scale)"/>
    <xsl:if test="$bytes mod 1048576 != 0">
      <xsl:call-template name="loss">
        <xsl:with-param name="code" select="'SXP-ROUNDED'"/>
        <xsl:with-param name="node" select="$node"/>
        <xsl:with-param name="detail"
            select="concat(local-name($node), ' ', $value, ' ', $node/@unit, ' is not a whole number of MiB; rounded up')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:value-of select="ceiling($bytes div 1024)"/>
  </xsl:template>

  <xsl:template name="vcpus">
    <xsl:variable name="max">
      <xsl:choose>
        <xsl:when test="$d/vcpu"><xsl:value-of select="number(normalize-space($d/vcpu))"/></xsl:when>
        <xsl:otherwise>1</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="string(number($max)) = 'NaN' or number($max) &lt; 1">
      <xsl:call-template name="fail">
        <xsl:with-param name="node" select="$d/vcpu"/>
        <xsl:with-param name="message" select="concat('vcpu count ', normalize-space($d/vcpu), ' is not a positive number')"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'vcpus'"/>
      <xsl:with-param name="value" select="$max"/>
    </xsl:call-template>
    <xsl:variable name="cur" select="number($d/vcpu/@current)"/>
    <!-- (vcpu_avail MASK) when fewer vCPUs are online than configured: the low bits set. -->
    <!-- (49 bits at most: format-number is exact to 15 digits, and it writes
         plain digits, which xend's int() reads, where a bare number could be 1.1e+12) -->
    <xsl:if test="$d/vcpu/@current and $cur &lt; number($max) and $cur &gt;= 1 and $cur &lt;= 49">
      <xsl:variable name="mask">
        <xsl:call-template name="pow2">
          <xsl:with-param name="n" select="$cur"/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:call-template name="item">
        <xsl:with-param name="key" select="'vcpu_avail'"/>
        <xsl:with-param name="value" select="format-number(number($mask) - 1, '0')"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template match="vcpu/@cpuset">
    <xsl:variable name="canon">
      <xsl:call-template name="cpuset">
        <xsl:with-param name="spec" select="string(.)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'cpus'"/>
      <xsl:with-param name="value" select="string($canon)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="domain/uuid">
    <xsl:variable name="hex" select="translate(translate(normalize-space(.), '-', ''), 'ABCDEF', 'abcdef')"/>
    <xsl:if test="string-length($hex) != 32 or translate($hex, '0123456789abcdef', '') != ''">
      <xsl:call-template name="fail">
        <xsl:with-param name="node" select="."/>
        <xsl:with-param name="message" select="concat('malformed uuid ', normalize-space(.))"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'uuid'"/>
      <xsl:with-param name="value"
          select="concat(substring($hex, 1, 8), '-', substring($hex, 9, 4), '-', substring($hex, 13, 4),
                         '-', substring($hex, 17, 4), '-', substring($hex, 21, 12))"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="domain/description">
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'description'"/>
      <xsl:with-param name="value" select="string(.)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="bootloader">
    <xsl:if test="bootloader">
      <xsl:choose>
        <xsl:when test="$has-bootloader">
          <xsl:call-template name="item">
            <xsl:with-param name="key" select="'bootloader'"/>
            <xsl:with-param name="value" select="string(bootloader)"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:otherwise><l><a>bootloader</a></l></xsl:otherwise>
      </xsl:choose>
      <xsl:if test="bootloader_args">
        <xsl:call-template name="item">
          <xsl:with-param name="key" select="'bootloader_args'"/>
          <xsl:with-param name="value" select="string(bootloader_args)"/>
        </xsl:call-template>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <xsl:template name="lifecycle">
    <xsl:param name="key"/>
    <xsl:param name="default"/>
    <xsl:param name="allowed" select="$actions"/>
    <xsl:variable name="node" select="*[local-name() = $key and namespace-uri() = '']"/>
    <xsl:variable name="value">
      <xsl:choose>
        <xsl:when test="$node"><xsl:value-of select="normalize-space($node)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$default"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="not(contains($allowed, concat(' ', $value, ' ')))">
      <xsl:call-template name="fail">
        <xsl:with-param name="node" select="$node"/>
        <xsl:with-param name="message" select="concat('unknown lifecycle action ', $value, ' for ', $key)"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="$key"/>
      <xsl:with-param name="value" select="$value"/>
    </xsl:call-template>
  </xsl:template>

  <!-- ============================================================================ image -->

  <xsl:template name="image">
    <xsl:variable name="items">
      <xsl:if test="$full-image">
        <xsl:apply-templates select="os/kernel" mode="image"/>
        <xsl:apply-templates select="os/initrd" mode="image"/>
        <xsl:apply-templates select="os/root" mode="image"/>
      </xsl:if>
      <xsl:apply-templates select="os/cmdline" mode="image"/>
      <xsl:if test="$hvm">
        <xsl:call-template name="hvm-image"/>
      </xsl:if>
      <xsl:if test="devices/emulator and ($hvm or $ver &gt;= 3)">
        <xsl:call-template name="item">
          <xsl:with-param name="key" select="'device_model'"/>
          <xsl:with-param name="value" select="string(devices/emulator)"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:apply-templates select="clock/timer[@name = 'hpet'][@present][1]" mode="image"/>
      <xsl:if test="$graphics-in-image">
        <xsl:apply-templates select="$graphics" mode="image"/>
      </xsl:if>
      <xsl:if test="$hvm and $ver &gt;= 4">
        <xsl:call-template name="item">
          <xsl:with-param name="key" select="'rtc_timeoffset'"/>
          <xsl:with-param name="value" select="$rtc-timeoffset"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:if test="$ver &gt;= 4">
        <xsl:call-template name="item">
          <xsl:with-param name="key" select="'localtime'"/>
          <xsl:with-param name="value" select="$localtime"/>
        </xsl:call-template>
      </xsl:if>
    </xsl:variable>
    <!-- Xen-only image settings live in <os>; HVM graphics settings are image keys too. -->
    <xsl:variable name="ctx" select="os | features | clock | $graphics[$graphics-in-image]"/>
    <xsl:if test="exsl:node-set($items)/* or $ctx/xen:*">
      <l>
        <a>image</a>
        <l>
          <a>
            <xsl:choose>
              <xsl:when test="$hvm">hvm</xsl:when>
              <xsl:otherwise>linux</xsl:otherwise>
            </xsl:choose>
          </a>
          <xsl:call-template name="context-items">
            <xsl:with-param name="items" select="$items"/>
            <xsl:with-param name="ctx" select="$ctx"/>
          </xsl:call-template>
        </l>
      </l>
    </xsl:if>
  </xsl:template>

  <!-- Image keys that are plain copies of an <os> child. -->
  <xsl:variable name="os-key-rtf">
    <t:f el="kernel">kernel</t:f>
    <t:f el="initrd">ramdisk</t:f>
    <t:f el="root">root</t:f>
    <t:f el="cmdline">args</t:f>
  </xsl:variable>
  <xsl:variable name="os-keys" select="exsl:node-set($os-key-rtf)/t:f"/>

  <xsl:template match="os/*" mode="image">
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="string($os-keys[@el = local-name(current())])"/>
      <xsl:with-param name="value" select="string(.)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="hvm-image">
    <xsl:variable name="loader">
      <xsl:choose>
        <xsl:when test="normalize-space(os/loader) != ''"><xsl:value-of select="os/loader"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$default-loader"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <!-- Old xend took the HVM loader as the kernel; a real kernel moves it to (loader). -->
    <xsl:call-template name="item">
      <xsl:with-param name="key">
        <xsl:choose>
          <xsl:when test="os/kernel">loader</xsl:when>
          <xsl:otherwise>kernel</xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
      <xsl:with-param name="value" select="string($loader)"/>
    </xsl:call-template>
    <xsl:call-template name="vcpus"/>
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'boot'"/>
      <xsl:with-param name="value">
        <xsl:for-each select="os/boot[position() &lt;= 4]">
          <xsl:value-of select="$boot-letters[@dev = current()/@dev]"/>
        </xsl:for-each>
        <xsl:if test="not(os/boot[position() &lt;= 4][@dev = $boot-letters/@dev])">c</xsl:if>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:if test="$ver = 1">
      <xsl:apply-templates select="devices/disk[@device = 'cdrom'][normalize-space(target/@dev) = 'hdc']
                                                 [source/@file | source/@dev][1]" mode="old-cdrom"/>
    </xsl:if>
    <xsl:apply-templates select="devices/disk[@device = 'floppy'][source/@file | source/@dev]" mode="floppy"/>
    <xsl:for-each select="features/acpi | features/apic | features/pae | features/hap | features/viridian">
      <xsl:call-template name="item">
        <xsl:with-param name="key" select="local-name()"/>
        <xsl:with-param name="value">
          <xsl:choose>
            <xsl:when test="@state = 'off'">0</xsl:when>
            <xsl:otherwise>1</xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
    <l><a>usb</a><a>1</a></l>
    <xsl:for-each select="devices/input[@bus = 'usb'][@type = 'mouse' or @type = 'tablet' or @type = 'keyboard']">
      <xsl:call-template name="item">
        <xsl:with-param name="key" select="'usbdevice'"/>
        <xsl:with-param name="value" select="string(@type)"/>
      </xsl:call-template>
    </xsl:for-each>
    <xsl:call-template name="parallel"/>
    <xsl:call-template name="serial"/>
    <xsl:if test="devices/sound">
      <xsl:call-template name="item">
        <xsl:with-param name="key" select="'soundhw'"/>
        <xsl:with-param name="value">
          <xsl:for-each select="devices/sound">
            <xsl:if test="position() &gt; 1">,</xsl:if>
            <xsl:value-of select="@model"/>
          </xsl:for-each>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:if>
    <!-- libvirt's xm reader: stdvga 1 is a VGA card, 0 a Cirrus one (xend's default). -->
    <xsl:choose>
      <xsl:when test="devices/video[1]/model/@type = 'vga'"><l><a>stdvga</a><a>1</a></l></xsl:when>
      <xsl:when test="devices/video[1]/model/@type = 'cirrus'"><l><a>stdvga</a><a>0</a></l></xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- xend 3.0.2 read the HVM CD-ROM from the image. -->
  <xsl:template match="disk" mode="old-cdrom">
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'cdrom'"/>
      <xsl:with-param name="value" select="string(source/@file | source/@dev)"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Every xend version read HVM floppies from the image: (fda 'PATH'). -->
  <xsl:template match="disk" mode="floppy">
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="normalize-space(target/@dev)"/>
      <xsl:with-param name="value" select="string(source/@file | source/@dev)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="timer" mode="image">
    <xsl:call-template name="item">
      <xsl:with-param name="key" select="'hpet'"/>
      <xsl:with-param name="value">
        <xsl:choose>
          <xsl:when test="@present = 'yes'">1</xsl:when>
          <xsl:otherwise>0</xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- ============================================================================ clock -->

  <xsl:variable name="offset">
    <xsl:choose>
      <xsl:when test="$d/clock/@offset"><xsl:value-of select="$d/clock/@offset"/></xsl:when>
      <xsl:otherwise>utc</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <!-- A number in adjustment= turns utc/localtime into a variable clock (libvirt does too). -->
  <xsl:variable name="adjustment" select="$d/clock/@adjustment"/>
  <xsl:variable name="numeric-adjustment"
      select="$adjustment and string(number($adjustment)) != 'NaN'"/>
  <xsl:variable name="basis">
    <xsl:choose>
      <xsl:when test="$offset = 'variable'">
        <xsl:choose>
          <xsl:when test="$d/clock/@basis"><xsl:value-of select="$d/clock/@basis"/></xsl:when>
          <xsl:otherwise>utc</xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$offset"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="localtime">
    <xsl:choose>
      <xsl:when test="$basis = 'localtime'">1</xsl:when>
      <xsl:otherwise>0</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="rtc-timeoffset">
    <xsl:choose>
      <xsl:when test="$numeric-adjustment"><xsl:value-of select="number($adjustment)"/></xsl:when>
      <xsl:otherwise>0</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <!-- ====================================================================== char devices -->

  <xsl:template name="parallel">
    <l>
      <a>parallel</a>
      <xsl:choose>
        <xsl:when test="devices/parallel">
          <xsl:call-template name="chr-atom">
            <xsl:with-param name="chr" select="devices/parallel[1]"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:otherwise><a>none</a></xsl:otherwise>
      </xsl:choose>
    </l>
  </xsl:template>

  <!-- One serial on port 0: (serial X). Otherwise a list by port, gaps as none:
       (serial (none /dev/ttyS1)). An HVM console without serials is libvirt's serial 0. -->
  <xsl:template name="serial">
    <xsl:variable name="serials" select="devices/serial"/>
    <xsl:variable name="console-as-serial"
        select="devices/console[1][not($serials)][not(target/@type) or target/@type = 'serial']"/>
    <xsl:variable name="ports-rtf">
      <xsl:for-each select="$serials">
        <t:p>
          <xsl:choose>
            <xsl:when test="target/@port"><xsl:value-of select="number(target/@port)"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="position() - 1"/></xsl:otherwise>
          </xsl:choose>
        </t:p>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="ports" select="exsl:node-set($ports-rtf)/t:p"/>
    <xsl:variable name="maxport">
      <xsl:for-each select="$ports">
        <xsl:sort select="." data-type="number" order="descending"/>
        <xsl:if test="position() = 1"><xsl:value-of select="."/></xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <l>
      <a>serial</a>
      <xsl:choose>
        <xsl:when test="count($serials) = 1 and number($ports[1]) = 0">
          <xsl:call-template name="chr-atom">
            <xsl:with-param name="chr" select="$serials"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:when test="$serials">
          <l>
            <xsl:call-template name="serial-ports">
              <xsl:with-param name="port" select="0"/>
              <xsl:with-param name="max" select="number($maxport)"/>
              <xsl:with-param name="ports" select="$ports"/>
            </xsl:call-template>
          </l>
        </xsl:when>
        <xsl:when test="$console-as-serial">
          <xsl:call-template name="chr-atom">
            <xsl:with-param name="chr" select="$console-as-serial"/>
          </xsl:call-template>
        </xsl:when>
        <xsl:otherwise><a>none</a></xsl:otherwise>
      </xsl:choose>
    </l>
  </xsl:template>

  <!-- Ports PORT to MAX, in order, halving the range at each call: the nesting stays
       logarithmic however high the last port (check-document bounds it). -->
  <xsl:template name="serial-ports">
    <xsl:param name="port"/>
    <xsl:param name="max"/>
    <xsl:param name="ports"/>
    <xsl:choose>
      <xsl:when test="$port &gt; $max"/>
      <xsl:when test="$port = $max">
        <xsl:variable name="at" select="count($ports[number(.) = $port][1]/preceding-sibling::t:p) + 1"/>
        <xsl:choose>
          <xsl:when test="$ports[number(.) = $port]">
            <xsl:call-template name="chr-atom">
              <xsl:with-param name="chr" select="$d/devices/serial[$at]"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise><a>none</a></xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="mid" select="floor(($port + $max) div 2)"/>
        <xsl:call-template name="serial-ports">
          <xsl:with-param name="port" select="$port"/>
          <xsl:with-param name="max" select="$mid"/>
          <xsl:with-param name="ports" select="$ports"/>
        </xsl:call-template>
        <xsl:call-template name="serial-ports">
          <xsl:with-param name="port" select="$mid + 1"/>
          <xsl:with-param name="max" select="$max"/>
          <xsl:with-param name="ports" select="$ports"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A character device as xend's qemu-style string (xenFormatSxprChr). -->
  <xsl:template name="chr-atom">
    <xsl:param name="chr"/>
    <xsl:variable name="text">
      <xsl:call-template name="chr-string">
        <xsl:with-param name="chr" select="$chr"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:call-template name="value">
      <xsl:with-param name="value" select="string($text)"/>
      <xsl:with-param name="bare" select="true()"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="chr-string">
    <xsl:param name="chr"/>
    <xsl:variable name="type">
      <xsl:choose>
        <xsl:when test="$chr/@type"><xsl:value-of select="$chr/@type"/></xsl:when>
        <xsl:otherwise>pty</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="src" select="$chr/source[1]"/>
    <xsl:choose>
      <xsl:when test="$type = 'null' or $type = 'stdio' or $type = 'vc' or $type = 'pty'">
        <xsl:value-of select="$type"/>
      </xsl:when>
      <xsl:when test="$type = 'file' or $type = 'pipe'">
        <xsl:value-of select="concat($type, ':', $src/@path)"/>
      </xsl:when>
      <xsl:when test="$type = 'dev'">
        <xsl:value-of select="$src/@path"/>
      </xsl:when>
      <xsl:when test="$type = 'tcp'">
        <xsl:choose>
          <xsl:when test="$chr/protocol/@type and $chr/protocol/@type != 'raw'">telnet</xsl:when>
          <xsl:otherwise>tcp</xsl:otherwise>
        </xsl:choose>
        <xsl:value-of select="concat(':', $src/@host, ':', $src/@service)"/>
        <xsl:if test="$src/@mode = 'bind'">,server,nowait</xsl:if>
      </xsl:when>
      <xsl:when test="$type = 'udp'">
        <xsl:variable name="connect" select="$chr/source[not(@mode) or @mode = 'connect'][1]"/>
        <xsl:variable name="bind" select="$chr/source[@mode = 'bind'][1]"/>
        <xsl:value-of select="concat('udp:', $connect/@host, ':', $connect/@service,
                                     '@', $bind/@host, ':', $bind/@service)"/>
      </xsl:when>
      <xsl:when test="$type = 'unix'">
        <xsl:value-of select="concat('unix:', $src/@path)"/>
        <xsl:if test="$src/@mode = 'bind'">,server,nowait</xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="loss">
          <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
          <xsl:with-param name="node" select="$chr"/>
          <xsl:with-param name="detail"
              select="concat('character device type ', $type, ' has no xend equivalent; written as none')"/>
        </xsl:call-template>
        <xsl:text>none</xsl:text>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ============================================================================ disks -->

  <!-- libvirt keeps disks sorted as it parses them: grouped by bus in order of first appearance,
       and by drive index (hda < hdb < ... < hdz < hdaa) within a bus. -->
  <xsl:variable name="all-disks" select="$d/devices/disk"/>
  <xsl:variable name="disk-recs-rtf">
    <xsl:for-each select="$all-disks">
      <xsl:variable name="dev" select="normalize-space(target/@dev)"/>
      <xsl:variable name="name">
        <xsl:choose>
          <xsl:when test="starts-with($dev, 'ioemu:')"><xsl:value-of select="substring($dev, 7)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="$dev"/></xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <xsl:variable name="prefix">
        <xsl:choose>
          <xsl:when test="starts-with($name, 'xvd')">xvd</xsl:when>
          <xsl:when test="starts-with($name, 'ubd')">ubd</xsl:when>
          <xsl:when test="starts-with($name, 'hd') or starts-with($name, 'sd') or starts-with($name, 'vd') or starts-with($name, 'fd')">
            <xsl:value-of select="substring($name, 1, 2)"/>
          </xsl:when>
        </xsl:choose>
      </xsl:variable>
      <xsl:variable name="rest" select="substring($name, string-length($prefix) + 1)"/>
      <xsl:variable name="letters" select="substring-before(concat(translate($rest, '0123456789', '##########'), '#'), '#')"/>
      <xsl:variable name="valid"
          select="$prefix != '' and $letters != '' and translate($letters, $lower, '') = ''
                  and translate(substring($rest, string-length($letters) + 1), '0123456789', '') = ''"/>
      <t:disk pos="{position()}" name="{$name}">
        <xsl:attribute name="bus">
          <xsl:choose>
            <xsl:when test="target/@bus"><xsl:value-of select="target/@bus"/></xsl:when>
            <xsl:when test="@device = 'floppy'">fdc</xsl:when>
            <xsl:when test="$prefix = 'sd'">scsi</xsl:when>
            <xsl:when test="$prefix = 'vd'">virtio</xsl:when>
            <xsl:when test="$prefix = 'xvd'">xen</xsl:when>
            <xsl:when test="$prefix = 'ubd'">uml</xsl:when>
            <xsl:otherwise>ide</xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
        <xsl:attribute name="ilen">
          <xsl:choose>
            <xsl:when test="$valid"><xsl:value-of select="string-length($letters)"/></xsl:when>
            <xsl:otherwise>0</xsl:otherwise>
          </xsl:choose>
        </xsl:attribute>
        <xsl:attribute name="letters">
          <xsl:if test="$valid"><xsl:value-of select="$letters"/></xsl:if>
        </xsl:attribute>
      </t:disk>
    </xsl:for-each>
  </xsl:variable>
  <xsl:variable name="disk-recs" select="exsl:node-set($disk-recs-rtf)/t:disk"/>

  <xsl:template name="disks">
    <xsl:for-each select="$disk-recs">
      <xsl:sort select="count($disk-recs[@bus = current()/@bus][1]/preceding-sibling::t:disk)" data-type="number"/>
      <xsl:sort select="@ilen" data-type="number"/>
      <xsl:sort select="@letters"/>
      <xsl:sort select="@pos" data-type="number"/>
      <xsl:apply-templates select="$all-disks[number(current()/@pos)]" mode="device">
        <xsl:with-param name="name" select="string(@name)"/>
      </xsl:apply-templates>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="disk" mode="device">
    <xsl:param name="name"/>
    <xsl:variable name="device">
      <xsl:choose>
        <xsl:when test="@device"><xsl:value-of select="@device"/></xsl:when>
        <xsl:otherwise>disk</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="type">
      <xsl:choose>
        <xsl:when test="@type"><xsl:value-of select="@type"/></xsl:when>
        <xsl:otherwise>file</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="driver" select="string(driver/@name)"/>
    <xsl:variable name="src" select="string(source/@file | source/@dev)"/>
    <xsl:choose>
      <!-- HVM floppies live in the image; xend 3.0.2 HVM CD-ROMs too. -->
      <xsl:when test="$hvm and $device = 'floppy'"/>
      <xsl:when test="$hvm and $device = 'cdrom' and $ver = 1"/>
      <xsl:when test="not($type = 'file' or $type = 'block') and $driver = ''"/>
      <xsl:otherwise>
        <xsl:variable name="items">
            <xsl:call-template name="item">
              <xsl:with-param name="key" select="'dev'"/>
              <xsl:with-param name="value">
                <xsl:choose>
                  <xsl:when test="$hvm and $ver = 1"><xsl:value-of select="concat('ioemu:', $name)"/></xsl:when>
                  <xsl:when test="$hvm and $device = 'cdrom'"><xsl:value-of select="concat($name, ':cdrom')"/></xsl:when>
                  <xsl:when test="$hvm"><xsl:value-of select="concat($name, ':disk')"/></xsl:when>
                  <xsl:when test="$device = 'cdrom'"><xsl:value-of select="concat($name, ':cdrom')"/></xsl:when>
                  <xsl:otherwise><xsl:value-of select="$name"/></xsl:otherwise>
                </xsl:choose>
              </xsl:with-param>
            </xsl:call-template>
            <xsl:if test="$src != ''">
              <xsl:call-template name="item">
                <xsl:with-param name="key" select="'uname'"/>
                <xsl:with-param name="value">
                  <xsl:choose>
                    <xsl:when test="$driver = 'tap' or $driver = 'tap2'">
                      <xsl:variable name="format" select="string(driver/@type)"/>
                      <xsl:value-of select="concat($driver, ':')"/>
                      <xsl:choose>
                        <xsl:when test="$format = '' or $format = 'raw' or $format = 'aio'">aio</xsl:when>
                        <xsl:otherwise><xsl:value-of select="$format"/></xsl:otherwise>
                      </xsl:choose>
                      <xsl:value-of select="concat(':', $src)"/>
                    </xsl:when>
                    <xsl:when test="$driver != ''"><xsl:value-of select="concat($driver, ':', $src)"/></xsl:when>
                    <xsl:when test="$type = 'block' and not(starts-with($src, '/'))">
                      <xsl:value-of select="concat('phy:/dev/', $src)"/>
                    </xsl:when>
                    <xsl:when test="$type = 'block'"><xsl:value-of select="concat('phy:', $src)"/></xsl:when>
                    <xsl:otherwise><xsl:value-of select="concat('file:', $src)"/></xsl:otherwise>
                  </xsl:choose>
                </xsl:with-param>
              </xsl:call-template>
            </xsl:if>
            <xsl:call-template name="item">
              <xsl:with-param name="key" select="'mode'"/>
              <xsl:with-param name="value">
                <xsl:choose>
                  <xsl:when test="readonly">r</xsl:when>
                  <xsl:when test="shareable">w!</xsl:when>
                  <xsl:otherwise>w</xsl:otherwise>
                </xsl:choose>
              </xsl:with-param>
            </xsl:call-template>
        </xsl:variable>
        <l>
          <a>device</a>
          <l>
            <a>
              <xsl:choose>
                <xsl:when test="$driver = 'tap' or $driver = 'tap2'"><xsl:value-of select="$driver"/></xsl:when>
                <xsl:otherwise>vbd</xsl:otherwise>
              </xsl:choose>
            </a>
            <xsl:call-template name="context-items">
              <xsl:with-param name="items" select="$items"/>
            </xsl:call-template>
          </l>
        </l>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ======================================================================= interfaces -->

  <xsl:template match="interface" mode="device">
    <xsl:if test="@type = 'bridge' or @type = 'network' or @type = 'ethernet'">
      <xsl:variable name="items">
          <xsl:if test="mac/@address">
            <xsl:call-template name="item">
              <xsl:with-param name="key" select="'mac'"/>
              <xsl:with-param name="value">
                <xsl:call-template name="mac">
                  <xsl:with-param name="text" select="normalize-space(mac/@address)"/>
                </xsl:call-template>
              </xsl:with-param>
            </xsl:call-template>
          </xsl:if>
          <xsl:if test="number(bandwidth/outbound/@average) &gt; 0">
            <xsl:call-template name="item">
              <xsl:with-param name="key" select="'rate'"/>
              <xsl:with-param name="value" select="concat(number(bandwidth/outbound/@average), 'KB/s')"/>
            </xsl:call-template>
          </xsl:if>
          <xsl:if test="@type = 'bridge' and source/@bridge">
            <xsl:call-template name="item">
              <xsl:with-param name="key" select="'bridge'"/>
              <xsl:with-param name="value" select="string(source/@bridge)"/>
            </xsl:call-template>
          </xsl:if>
          <xsl:choose>
            <xsl:when test="script/@path">
              <xsl:call-template name="item">
                <xsl:with-param name="key" select="'script'"/>
                <xsl:with-param name="value" select="string(script/@path)"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:when test="@type != 'ethernet'">
              <l><a>script</a><s>vif-bridge</s></l>
            </xsl:when>
          </xsl:choose>
          <!-- xend takes several addresses separated by blanks (libvirt took one). -->
          <xsl:if test="ip[@address] and @type != 'network'">
            <xsl:call-template name="item">
              <xsl:with-param name="key" select="'ip'"/>
              <xsl:with-param name="value">
                <xsl:for-each select="ip[@address]">
                  <xsl:if test="position() &gt; 1"><xsl:text> </xsl:text></xsl:if>
                  <xsl:value-of select="normalize-space(@address)"/>
                </xsl:for-each>
              </xsl:with-param>
            </xsl:call-template>
          </xsl:if>
          <xsl:if test="target/@dev and not(starts-with(target/@dev, 'vif'))">
            <xsl:call-template name="item">
              <xsl:with-param name="key" select="'vifname'"/>
              <xsl:with-param name="value" select="string(target/@dev)"/>
            </xsl:call-template>
          </xsl:if>
          <xsl:variable name="model" select="string(model/@type)"/>
          <xsl:choose>
            <xsl:when test="$hvm and $model = 'netfront'">
              <l><a>type</a><a>netfront</a></l>
            </xsl:when>
            <xsl:otherwise>
              <xsl:if test="$model != ''">
                <xsl:call-template name="item">
                  <xsl:with-param name="key" select="'model'"/>
                  <xsl:with-param name="value" select="$model"/>
                </xsl:call-template>
              </xsl:if>
              <xsl:if test="$hvm and $ver &lt;= 3">
                <l><a>type</a><a>ioemu</a></l>
              </xsl:if>
            </xsl:otherwise>
          </xsl:choose>
      </xsl:variable>
      <l>
        <a>device</a>
        <l>
          <a>vif</a>
          <xsl:call-template name="context-items">
            <xsl:with-param name="items" select="$items"/>
          </xsl:call-template>
        </l>
      </l>
    </xsl:if>
  </xsl:template>

  <!-- libvirt prints MAC addresses as six lower-case two-digit hex groups. -->
  <xsl:template name="mac">
    <xsl:param name="text"/>
    <xsl:for-each select="str:tokenize($text, ':')">
      <xsl:if test="position() &gt; 1">:</xsl:if>
      <xsl:if test="string-length(.) = 1">0</xsl:if>
      <xsl:value-of select="translate(., $upper, $lower)"/>
    </xsl:for-each>
  </xsl:template>

  <!-- ============================================================================== pci -->

  <!-- All PCI host devices share one (device (pci (dev ...) (dev ...) KEPT...)); the kept items
       of xend's pci device (outside its dev lists) are <xen:pci> in <devices>. -->
  <xsl:variable name="pci-devs"
      select="$d/devices/hostdev[not(@mode) or @mode = 'subsystem'][@type = 'pci']"/>

  <xsl:template name="pci">
    <xsl:if test="$pci-devs or devices/xen:pci">
      <l>
        <a>device</a>
        <l>
          <a>pci</a>
          <xsl:for-each select="$pci-devs">
            <xsl:variable name="addr" select="source/address"/>
            <xsl:variable name="items">
              <xsl:call-template name="pci-field">
                <xsl:with-param name="key" select="'domain'"/>
                <xsl:with-param name="attr" select="$addr/@domain"/>
                <xsl:with-param name="width" select="4"/>
              </xsl:call-template>
              <xsl:call-template name="pci-field">
                <xsl:with-param name="key" select="'bus'"/>
                <xsl:with-param name="attr" select="$addr/@bus"/>
                <xsl:with-param name="width" select="2"/>
              </xsl:call-template>
              <xsl:call-template name="pci-field">
                <xsl:with-param name="key" select="'slot'"/>
                <xsl:with-param name="attr" select="$addr/@slot"/>
                <xsl:with-param name="width" select="2"/>
              </xsl:call-template>
              <xsl:call-template name="pci-field">
                <xsl:with-param name="key" select="'func'"/>
                <xsl:with-param name="attr" select="$addr/@function"/>
                <xsl:with-param name="width" select="1"/>
              </xsl:call-template>
              <xsl:apply-templates select="address[@type = 'pci']" mode="vdevfn"/>
              <xsl:if test="source/@writeFiltering = 'no'">
                <l><a>opts</a><l><a>permissive</a><a>1</a></l></l>
              </xsl:if>
            </xsl:variable>
            <l>
              <a>dev</a>
              <xsl:call-template name="context-items">
                <xsl:with-param name="items" select="$items"/>
              </xsl:call-template>
            </l>
          </xsl:for-each>
          <xsl:call-template name="context-items">
            <xsl:with-param name="ctx" select="devices/xen:pci"/>
          </xsl:call-template>
        </l>
      </l>
    </xsl:if>
  </xsl:template>

  <!-- The guest slot of a PCI device: (vdevfn 0xNN), NN = slot * 8 + function. -->
  <xsl:template match="address" mode="vdevfn">
    <xsl:variable name="slot">
      <xsl:call-template name="parse-int">
        <xsl:with-param name="text" select="normalize-space(@slot)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="function">
      <xsl:call-template name="parse-int">
        <xsl:with-param name="text" select="normalize-space(@function)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="hex">
      <xsl:call-template name="to-hex">
        <xsl:with-param name="n" select="number($slot) * 8 + number($function)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="string(number($slot) * 8 + number($function)) != 'NaN'">
      <l>
        <a>vdevfn</a>
        <a><xsl:value-of select="concat('0x', substring('00', 1, 2 - string-length($hex)), $hex)"/></a>
      </l>
    </xsl:if>
  </xsl:template>

  <xsl:template name="pci-field">
    <xsl:param name="key"/>
    <xsl:param name="attr"/>
    <xsl:param name="width"/>
    <xsl:variable name="n">
      <xsl:call-template name="parse-int">
        <xsl:with-param name="text" select="normalize-space($attr)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:if test="string(number($n)) = 'NaN'">
      <xsl:call-template name="fail">
        <xsl:with-param name="node" select="$attr/.."/>
        <xsl:with-param name="message" select="concat('PCI address has no valid ', $key, ': ', $attr)"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:variable name="hex">
      <xsl:call-template name="to-hex">
        <xsl:with-param name="n" select="number($n)"/>
      </xsl:call-template>
    </xsl:variable>
    <l>
      <a><xsl:value-of select="$key"/></a>
      <a>
        <xsl:value-of select="concat('0x', substring('0000', 1, $width - string-length($hex)), $hex)"/>
      </a>
    </l>
  </xsl:template>

  <!-- ========================================================================= graphics -->

  <xsl:template match="graphics" mode="vfb">
    <xsl:if test="@type = 'vnc' or @type = 'sdl'">
      <xsl:choose>
        <xsl:when test="$vkbd-in-place">
          <xsl:apply-templates select="$vkbd-in-place" mode="device"/>
        </xsl:when>
        <xsl:when test="not($hvm)"><l><a>device</a><l><a>vkbd</a></l></l></xsl:when>
      </xsl:choose>
      <xsl:variable name="items">
        <l><a>type</a><a><xsl:value-of select="@type"/></a></l>
        <xsl:call-template name="graphics-settings"/>
      </xsl:variable>
      <l>
        <a>device</a>
        <l>
          <a>vfb</a>
          <xsl:call-template name="context-items">
            <xsl:with-param name="items" select="$items"/>
          </xsl:call-template>
        </l>
      </l>
    </xsl:if>
  </xsl:template>

  <!-- The graphics settings inside the image (HVM, and PV before xend 3.0.4). -->
  <xsl:template match="graphics" mode="image">
    <xsl:if test="@type = 'vnc' or @type = 'sdl'">
      <l><a><xsl:value-of select="@type"/></a><a>1</a></l>
      <xsl:if test="@type = 'sdl' or $ver &gt;= 2">
        <xsl:call-template name="graphics-settings"/>
      </xsl:if>
    </xsl:if>
  </xsl:template>

  <xsl:template name="graphics-settings">
    <xsl:choose>
      <xsl:when test="@type = 'sdl'">
        <xsl:if test="@display">
          <xsl:call-template name="item">
            <xsl:with-param name="key" select="'display'"/>
            <xsl:with-param name="value" select="string(@display)"/>
          </xsl:call-template>
        </xsl:if>
        <xsl:if test="@xauth">
          <xsl:call-template name="item">
            <xsl:with-param name="key" select="'xauthority'"/>
            <xsl:with-param name="value" select="string(@xauth)"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <xsl:choose>
          <xsl:when test="@autoport = 'yes' or (not(@autoport = 'no') and (not(@port) or normalize-space(@port) = '-1'))">
            <l><a>vncunused</a><a>1</a></l>
          </xsl:when>
          <xsl:otherwise>
            <l><a>vncunused</a><a>0</a></l>
            <l><a>vncdisplay</a><a><xsl:value-of select="number(@port) - 5900"/></a></l>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:variable name="listen" select="(listen[@type = 'address']/@address | @listen)[1]"/>
        <xsl:if test="$listen">
          <xsl:call-template name="item">
            <xsl:with-param name="key" select="'vnclisten'"/>
            <xsl:with-param name="value" select="string($listen)"/>
          </xsl:call-template>
        </xsl:if>
        <xsl:if test="@passwd">
          <xsl:call-template name="item">
            <xsl:with-param name="key" select="'vncpasswd'"/>
            <xsl:with-param name="value" select="string(@passwd)"/>
          </xsl:call-template>
        </xsl:if>
        <xsl:if test="@keymap">
          <xsl:call-template name="item">
            <xsl:with-param name="key" select="'keymap'"/>
            <xsl:with-param name="value" select="string(@keymap)"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ====================================================================== xen: elements -->

  <!-- The items of one SXP context: the items derived from core ($items, in libvirt's order),
       where a xen:KEY of the context replaces the derived (KEY ...) (it keeps a value libvirt's
       reading only approximated), then the other xen: settings, then the <xen:sxp> items. -->
  <xsl:template name="context-items">
    <xsl:param name="items" select="/.."/>
    <xsl:param name="ctx" select="."/>
    <xsl:variable name="derived" select="exsl:node-set($items)/*"/>
    <xsl:variable name="xen" select="$ctx/xen:*[not(self::xen:sxp)]"/>
    <xsl:for-each select="$derived">
      <xsl:variable name="key" select="string(self::l/*[1][self::a])"/>
      <xsl:variable name="over"
          select="$xen[local-name() = $key][not(contains($multi-keys, concat(' ', $key, ' ')))][1]"/>
      <xsl:choose>
        <xsl:when test="$over"><xsl:apply-templates select="$over" mode="xen"/></xsl:when>
        <xsl:otherwise><xsl:copy-of select="."/></xsl:otherwise>
      </xsl:choose>
    </xsl:for-each>
    <!-- xen:cpus first, where the reader puts it, so that reading back and writing again is a
         fixpoint whatever the order of the settings in the input. -->
    <xsl:for-each select="$xen[self::xen:cpus] | $xen[not(self::xen:cpus)]">
      <xsl:sort select="number(not(self::xen:cpus))" data-type="number"/>
      <xsl:variable name="key" select="local-name()"/>
      <xsl:if test="not($derived[self::l/*[1][self::a] = $key]
                        and not(contains($multi-keys, concat(' ', $key, ' ')))
                        and not(preceding-sibling::xen:*[local-name() = $key]))">
        <xsl:apply-templates select="." mode="xen"/>
      </xsl:if>
    </xsl:for-each>
    <xsl:apply-templates select="$ctx/xen:sxp" mode="xen"/>
  </xsl:template>

  <!-- Keys that may repeat in one context: a xen: element of that name adds, never replaces. -->
  <xsl:variable name="multi-keys" select="' device dev usbdevice opts image '"/>

  <!-- Keys whose xen: element lists its pairs directly, (KEY (k v) (k v)), rather than as one
       dict, (KEY ((k v) (k v))). -->
  <xsl:variable name="pairs-keys" select="' notes '"/>

  <!-- Dict keys: an empty element is (KEY ()), not (KEY ''). -->
  <xsl:variable name="dict-keys" select="' vcpus_params platform other_config HVM_boot_params tools_version '"/>

  <!-- A PV guest's vfb comes with a vkbd; a kept <xen:vkbd> stands in for the bare one. -->
  <xsl:variable name="vfb-written" select="not($hvm) and $ver &gt;= 3 and boolean($graphics)"/>
  <xsl:variable name="vkbd-in-place" select="$d/devices/xen:vkbd[1][$vfb-written]"/>

  <!-- Generic carry-through: <xen:sxp> holds SXP items verbatim. -->
  <xsl:template match="xen:sxp" mode="xen">
    <xsl:copy-of select="*"/>
  </xsl:template>

  <!-- A Xen-only setting is named after its SXP key: (KEY value); with xen: children it is a
       dict, (KEY ((k v) ...)), or for the pairs keys (KEY (k v) ...). -->
  <xsl:template match="xen:*" mode="xen">
    <xsl:variable name="key" select="local-name()"/>
    <xsl:choose>
      <xsl:when test="contains($pairs-keys, concat(' ', $key, ' ')) or self::xen:dev[parent::xen:vscsi]">
        <l>
          <a><xsl:value-of select="$key"/></a>
          <xsl:apply-templates select="*" mode="xen"/>
        </l>
      </xsl:when>
      <xsl:when test="* or contains($dict-keys, concat(' ', $key, ' '))">
        <l>
          <a><xsl:value-of select="$key"/></a>
          <l><xsl:apply-templates select="*" mode="xen"/></l>
        </l>
      </xsl:when>
      <xsl:otherwise>
        <l>
          <a><xsl:value-of select="$key"/></a>
          <xsl:call-template name="value">
            <xsl:with-param name="value" select="string(.)"/>
            <xsl:with-param name="bare"
                select="contains($bare-keys, concat(' ', $key, ' '))
                        or (string(.) != '' and translate(., '0123456789', '') = '')"/>
          </xsl:call-template>
        </l>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- xend's per-vCPU affinity: (cpus ((0 1) (2) ())), one list per vCPU by id. -->
  <xsl:template match="xen:cpus" mode="xen">
    <l>
      <a>cpus</a>
      <l>
        <xsl:for-each select="xen:vcpu">
          <xsl:sort select="@id" data-type="number"/>
          <l>
            <xsl:for-each select="str:tokenize(translate(., ' ', ''), ',')">
              <xsl:choose>
                <xsl:when test="contains(., '-')">
                  <xsl:call-template name="count-atoms">
                    <xsl:with-param name="from" select="number(substring-before(., '-'))"/>
                    <xsl:with-param name="to" select="number(substring-after(., '-'))"/>
                  </xsl:call-template>
                </xsl:when>
                <xsl:otherwise><a><xsl:value-of select="."/></a></xsl:otherwise>
              </xsl:choose>
            </xsl:for-each>
          </l>
        </xsl:for-each>
      </l>
      <xsl:apply-templates select="xen:sxp" mode="xen"/>
    </l>
  </xsl:template>

  <xsl:template name="count-atoms">
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:if test="$from &lt;= $to">
      <a><xsl:value-of select="$from"/></a>
      <xsl:call-template name="count-atoms">
        <xsl:with-param name="from" select="$from + 1"/>
        <xsl:with-param name="to" select="$to"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- A PCI option other than permissive: (opts (NAME VALUE)). -->
  <xsl:template match="xen:opt" mode="xen">
    <l>
      <a>opts</a>
      <l>
        <a><xsl:value-of select="@name"/></a>
        <xsl:call-template name="value">
          <xsl:with-param name="value" select="string(@value)"/>
          <xsl:with-param name="bare" select="true()"/>
        </xsl:call-template>
      </l>
    </l>
  </xsl:template>

  <!-- A device class xlate keeps as a whole: (device (CLASS items...)). -->
  <xsl:template match="devices/xen:*" mode="device">
    <l>
      <a>device</a>
      <l>
        <a><xsl:value-of select="local-name()"/></a>
        <xsl:call-template name="context-items"/>
      </l>
    </l>
  </xsl:template>

  <xsl:template match="devices/xen:irq" mode="device">
    <l>
      <a>device</a>
      <l><a>irq</a><l><a>irq</a><a><xsl:value-of select="normalize-space(.)"/></a></l></l>
    </l>
  </xsl:template>

  <!-- libvirt's PV USB controller (qusb1, qusb2) is xend's vusb device. -->
  <xsl:template match="controller" mode="device">
    <xsl:variable name="items">
      <l><a>usb-ver</a><a><xsl:value-of select="substring-after(@model, 'qusb')"/></a></l>
      <xsl:if test="@ports">
        <l><a>num-ports</a><a><xsl:value-of select="normalize-space(@ports)"/></a></l>
      </xsl:if>
    </xsl:variable>
    <l>
      <a>device</a>
      <l>
        <a>vusb</a>
        <xsl:call-template name="context-items">
          <xsl:with-param name="items" select="$items"/>
        </xsl:call-template>
      </l>
    </l>
  </xsl:template>

  <!-- ============================================================================ audit -->

  <!-- Walk the input: every element or attribute the mapping does not carry is a loss. -->
  <xsl:template match="*" mode="audit">
    <!-- parent/name; the document element's parent (the root node) has no name: /domain -->
    <xsl:variable name="sig" select="concat(local-name(..), '/', local-name())"/>
    <!-- its row of the table: 'LEAF;ATTRS;IMPLIED' (never empty: two ';' at least), or '' -->
    <xsl:variable name="entry" select="substring-before(substring-after($known-index, concat('|', $sig, '=')), '|')"/>
    <xsl:variable name="row" select="$entry != ''"/>
    <xsl:variable name="reason">
      <xsl:if test="$row and namespace-uri() = ''">
        <xsl:apply-templates select="." mode="drop-reason"/>
      </xsl:if>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$reason = 'implicit'"/>
      <xsl:when test="$reason != ''">
        <xsl:call-template name="loss">
          <xsl:with-param name="code" select="substring-before($reason, '|')"/>
          <xsl:with-param name="node" select="."/>
          <xsl:with-param name="detail" select="substring-after($reason, '|')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="namespace-uri() != '' or not($row)">
        <xsl:call-template name="loss">
          <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
          <xsl:with-param name="node" select="."/>
          <xsl:with-param name="detail" select="concat('&lt;', name(), '&gt; has no SEXPR equivalent')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:for-each select="@*">
          <xsl:variable name="attr" select="concat(' ', name(), ' ')"/>
          <xsl:choose>
            <xsl:when test="contains(concat(' ', substring-before(substring-after($entry, ';'), ';'), ' '), $attr)">
              <xsl:variable name="why">
                <xsl:apply-templates select="." mode="attr-reason"/>
              </xsl:variable>
              <xsl:if test="$why != ''">
                <xsl:call-template name="loss">
                  <xsl:with-param name="code" select="substring-before($why, '|')"/>
                  <xsl:with-param name="node" select="."/>
                  <xsl:with-param name="detail" select="substring-after($why, '|')"/>
                </xsl:call-template>
              </xsl:if>
            </xsl:when>
            <xsl:when test="contains(concat(' ', substring-after(substring-after($entry, ';'), ';'), ' '), $attr)">
              <xsl:call-template name="loss">
                <xsl:with-param name="code" select="'SXP-IMPLIED'"/>
                <xsl:with-param name="node" select="."/>
                <xsl:with-param name="detail" select="concat(name(), '=', ., ' is decided by xend, not written')"/>
              </xsl:call-template>
            </xsl:when>
            <xsl:otherwise>
              <xsl:call-template name="loss">
                <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
                <xsl:with-param name="node" select="."/>
                <xsl:with-param name="detail"
                    select="concat('attribute ', name(), '=', ., ' of &lt;', name(..), '&gt; has no SEXPR equivalent')"/>
              </xsl:call-template>
            </xsl:otherwise>
          </xsl:choose>
        </xsl:for-each>
        <xsl:choose>
          <xsl:when test="starts-with($entry, 'L;')">
            <xsl:for-each select="*[namespace-uri() != $XEN]">
              <xsl:call-template name="loss">
                <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
                <xsl:with-param name="node" select="."/>
                <xsl:with-param name="detail" select="concat('&lt;', name(), '&gt; has no SEXPR equivalent')"/>
              </xsl:call-template>
            </xsl:for-each>
            <xsl:apply-templates select="xen:*" mode="audit"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:apply-templates select="*" mode="audit"/>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>


  <!-- Why the context element is not written in this configuration: '' (it is, audit it),
       'implicit' (xend has it anyway: nothing lost), or 'CODE|detail' (a loss). One template
       per parent/name signature, found by libxslt's pattern index rather than by a chain of
       tests; where a signature has several rules, they are tried in order. -->
  <xsl:template match="*" mode="drop-reason"/>

  <!-- With a bootloader, libvirt writes no kernel and no device model for a PV guest. -->
  <xsl:template match="os/kernel | os/initrd | os/root" mode="drop-reason">
    <xsl:if test="not($full-image)">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|&lt;', local-name(), '&gt; is not written with a bootloader, which picks the kernel')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="domain/bootloader_args" mode="drop-reason">
    <xsl:if test="not(../bootloader)">
      <xsl:text>SXP-UNSUPPORTED|bootloader arguments without a bootloader are not written</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template match="devices/emulator" mode="drop-reason">
    <xsl:if test="not($hvm) and $ver &lt; 3">
      <xsl:text>SXP-XEND-VERSION|xend before 3.0.4 takes no device model for a PV guest</xsl:text>
    </xsl:if>
  </xsl:template>

  <!-- PV guests: xend's linux image has no firmware, boot order or emulated devices. -->
  <xsl:template match="os/loader" mode="drop-reason">
    <xsl:if test="not($hvm)">
      <xsl:text>SXP-UNSUPPORTED|&lt;loader&gt; applies to HVM guests only; a PV guest boots its kernel</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template match="os/boot" mode="drop-reason">
    <xsl:choose>
      <xsl:when test="not($hvm)">
        <xsl:text>SXP-UNSUPPORTED|&lt;boot&gt; applies to HVM guests only; a PV guest boots its kernel</xsl:text>
      </xsl:when>
      <xsl:when test="count(preceding-sibling::boot) &gt;= 4 or not($boot-letters[@dev = current()/@dev])">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|boot device ', @dev, ' is not one of the first four of fd, hd, cdrom, network')"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/serial | devices/sound | features/*" mode="drop-reason">
    <xsl:if test="not($hvm)">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|&lt;', local-name(), '&gt; applies to HVM guests only')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="devices/parallel" mode="drop-reason">
    <xsl:choose>
      <xsl:when test="not($hvm)">SXP-UNSUPPORTED|&lt;parallel&gt; applies to HVM guests only</xsl:when>
      <xsl:when test="preceding-sibling::parallel">SXP-UNSUPPORTED|xend has one parallel port per guest</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/input" mode="drop-reason">
    <xsl:variable name="bus">
      <xsl:choose>
        <xsl:when test="@bus"><xsl:value-of select="@bus"/></xsl:when>
        <xsl:when test="$hvm">ps2</xsl:when>
        <xsl:otherwise>xen</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$hvm and $bus = 'usb' and (@type = 'mouse' or @type = 'tablet' or @type = 'keyboard')"/>
      <xsl:when test="$hvm and $bus = 'ps2' and (@type = 'mouse' or @type = 'keyboard')">implicit</xsl:when>
      <xsl:when test="not($hvm) and $bus = 'xen' and (@type = 'mouse' or @type = 'keyboard')">implicit</xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('SXP-UNSUPPORTED|input ', @type, ' on bus ', $bus, ' has no xend equivalent')"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/console" mode="drop-reason">
    <xsl:variable name="target" select="string(target/@type)"/>
    <xsl:choose>
      <xsl:when test="preceding-sibling::console">SXP-UNSUPPORTED|xend has one console per guest</xsl:when>
      <xsl:when test="$hvm and ($target = '' or $target = 'serial') and ../serial">implicit</xsl:when>
      <xsl:when test="$hvm and ($target = '' or $target = 'serial')"/>
      <xsl:when test="not($hvm) and (not(@type) or @type = 'pty') and ($target = '' or $target = 'xen')">implicit</xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('SXP-UNSUPPORTED|a ', @type, ' console')"/>
        <xsl:if test="$target != ''"><xsl:value-of select="concat(' with target ', $target)"/></xsl:if>
        <xsl:text> has no xend equivalent</xsl:text>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/graphics" mode="drop-reason">
    <xsl:choose>
      <xsl:when test="preceding-sibling::graphics">SXP-UNSUPPORTED|xend has one graphics device per guest</xsl:when>
      <xsl:when test="not(@type = 'vnc' or @type = 'sdl')">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|graphics type ', @type, ' has no xend equivalent (vnc, sdl)')"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="graphics/listen" mode="drop-reason">
    <xsl:if test="preceding-sibling::listen or @type != 'address'">
      <xsl:text>SXP-UNSUPPORTED|xend listens on one address</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template match="devices/video" mode="drop-reason">
    <xsl:variable name="model" select="string(model/@type)"/>
    <xsl:choose>
      <xsl:when test="preceding-sibling::video">SXP-UNSUPPORTED|xend has one video card per guest</xsl:when>
      <xsl:when test="$hvm and $model = 'vga'"/>
      <xsl:when test="$hvm and $model = '' and not(model/@*[name() != 'type']) and not(model/*)">implicit</xsl:when>
      <xsl:when test="not($hvm) and $model = 'xen' and not(model/@*[name() != 'type']) and not(model/*)">implicit</xsl:when>
      <xsl:when test="$hvm and ($model = '' or $model = 'cirrus')"/>
      <xsl:when test="not($hvm) and $model = 'xen'"/>
      <xsl:otherwise>
        <xsl:value-of select="concat('SXP-UNSUPPORTED|video model ', $model, ' has no xend equivalent')"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/memballoon" mode="drop-reason">
    <xsl:choose>
      <xsl:when test="@model = 'xen' and not(*)">implicit</xsl:when>
      <xsl:when test="@model = 'xen'"/>
      <xsl:otherwise>
        <xsl:value-of select="concat('SXP-UNSUPPORTED|memballoon model ', @model, ': xend always balloons through Xen')"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/controller" mode="drop-reason">
    <xsl:choose>
      <xsl:when test="(@type = 'ide' or @type = 'xenbus' or @type = 'usb') and not(@model) and not(@ports) and not(*)">implicit</xsl:when>
      <xsl:when test="@type = 'usb' and (@model = 'qusb1' or @model = 'qusb2')"/>
      <xsl:otherwise>
        <xsl:value-of select="concat('SXP-UNSUPPORTED|controller ', @type, ' has no xend equivalent')"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/hostdev" mode="drop-reason">
    <xsl:if test="not((not(@mode) or @mode = 'subsystem') and @type = 'pci')">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|host device ', @mode, ' ', @type, ' has no xend equivalent (PCI only)')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="devices/interface" mode="drop-reason">
    <xsl:if test="not(@type = 'bridge' or @type = 'network' or @type = 'ethernet')">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|interface type ', @type, ' has no xend equivalent (bridge, network, ethernet)')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="interface/ip" mode="drop-reason">
    <xsl:if test="../@type = 'network'">
      <xsl:text>SXP-UNSUPPORTED|an interface on a libvirt network takes its address from the network</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template match="devices/disk" mode="drop-reason">
    <xsl:call-template name="disk-drop-reason"/>
  </xsl:template>

  <xsl:template match="disk/address" mode="drop-reason">
    <xsl:call-template name="disk-address-reason"/>
  </xsl:template>

  <xsl:template match="clock/timer" mode="drop-reason">
    <xsl:choose>
      <xsl:when test="not(@name = 'hpet')">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|timer ', @name, ' has no xend equivalent (hpet only)')"/>
      </xsl:when>
      <xsl:when test="@present and preceding-sibling::timer[@name = 'hpet'][@present]">
        <xsl:text>SXP-UNSUPPORTED|a second hpet timer is not written</xsl:text>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="disk-drop-reason">
    <xsl:variable name="device">
      <xsl:choose>
        <xsl:when test="@device"><xsl:value-of select="@device"/></xsl:when>
        <xsl:otherwise>disk</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="has-source" select="boolean(source/@file | source/@dev)"/>
    <xsl:choose>
      <xsl:when test="@type and not(@type = 'file' or @type = 'block') and not(driver/@name)">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|disk type ', @type, ' has no xend uname (file, block)')"/>
      </xsl:when>
      <xsl:when test="$hvm and $device = 'floppy' and not($has-source)">
        <xsl:text>SXP-UNSUPPORTED|xend takes HVM floppies as image paths; an empty drive has none</xsl:text>
      </xsl:when>
      <xsl:when test="$hvm and $device = 'cdrom' and $ver = 1
                      and not(normalize-space(target/@dev) = 'hdc' and $has-source
                              and not(preceding-sibling::disk[@device = 'cdrom'][normalize-space(target/@dev) = 'hdc'][source/@file | source/@dev]))">
        <xsl:text>SXP-XEND-VERSION|xend 3.0.2 takes one HVM CD-ROM, as hdc with a source</xsl:text>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- libvirt derives an IDE drive's address from its name (hda = controller 0, bus 0, unit 0);
       an address that says the same is implied by the name, any other has no xend equivalent. -->
  <xsl:template name="disk-address-reason">
    <xsl:variable name="rec" select="$disk-recs[number(@pos) = count(current()/../preceding-sibling::disk) + 1]"/>
    <xsl:variable name="idx">
      <xsl:call-template name="drive-index">
        <xsl:with-param name="letters" select="string($rec/@letters)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$rec/@bus = 'ide' and $rec/@letters != '' and @type = 'drive'
                      and number(@controller) = floor($idx div 4)
                      and number(@bus) = floor(($idx mod 4) div 2)
                      and (not(@target) or number(@target) = 0)
                      and number(@unit) = $idx mod 2">implicit</xsl:when>
      <xsl:otherwise>SXP-UNSUPPORTED|xend places a disk by its device name only; this address is not written</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- libvirt's drive index of the letters after the bus prefix: a=0 ... z=25, aa=26 ... -->
  <xsl:template name="drive-index">
    <xsl:param name="letters"/>
    <xsl:param name="acc" select="-1"/>
    <xsl:choose>
      <xsl:when test="$letters = ''"><xsl:value-of select="$acc"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="drive-index">
          <xsl:with-param name="letters" select="substring($letters, 2)"/>
          <xsl:with-param name="acc"
              select="($acc + 1) * 26 + string-length(substring-before($lower, substring($letters, 1, 1)))"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Why a read attribute is not written in this configuration: '' or 'CODE|detail'. One
       template per signature, as for elements (mode drop-reason). -->
  <xsl:template match="@*" mode="attr-reason"/>

  <xsl:template match="domain/vcpu/@placement" mode="attr-reason">
    <xsl:if test=". != 'static'">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|vCPU placement ', ., ' has no xend equivalent')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="domain/vcpu/@current" mode="attr-reason">
    <xsl:choose>
      <xsl:when test="not(number(.) &gt;= 1 and number(.) &lt;= number(normalize-space(..)))">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|current vCPU count ', ., ' is outside 1..', normalize-space(..), '; all vCPUs are online')"/>
      </xsl:when>
      <xsl:when test="number(.) &gt; 49 and number(.) &lt; number(normalize-space(..))">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|current vCPU count ', ., ' needs a vcpu_avail mask wider than the 49 bits xlate writes exactly; all vCPUs are online')"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="os/loader/@type" mode="attr-reason">
    <xsl:if test=". != 'rom'">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|loader type ', ., ' has no xend equivalent')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="domain/clock/@offset" mode="attr-reason">
    <xsl:choose>
      <xsl:when test="not(. = 'utc' or . = 'localtime' or . = 'variable')">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|clock offset ', ., ' has no xend equivalent; UTC written')"/>
      </xsl:when>
      <xsl:when test=". = 'variable' and not($hvm)">
        <xsl:text>SXP-UNSUPPORTED|a PV guest has no RTC offset in xend; only the basis is written</xsl:text>
      </xsl:when>
      <xsl:when test=". = 'variable' and $ver &lt; 4">
        <xsl:text>SXP-XEND-VERSION|xend before 3.1 has no RTC offset; only the basis is written</xsl:text>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="domain/clock/@adjustment" mode="attr-reason">
    <xsl:choose>
      <xsl:when test=". = 'reset' and $hvm and $ver &gt;= 4">
        <xsl:text>SXP-UNSUPPORTED|xend cannot reset the RTC adjustment; an offset of 0 is written</xsl:text>
      </xsl:when>
      <xsl:when test=". != 'reset' and number(.) != 0 and not(../@offset = 'variable') and (not($hvm) or $ver &lt; 4)">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|RTC adjustment ', ., ' is not written for this guest')"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/disk/@device" mode="attr-reason">
    <xsl:if test=". = 'lun'">
      <xsl:text>SXP-UNSUPPORTED|xend has no SCSI pass-through; the LUN is written as a plain disk</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template match="disk/driver/@type" mode="attr-reason">
    <xsl:if test="not(../@name = 'tap' or ../@name = 'tap2') and not(. = 'raw' or . = 'aio')">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|image format ', ., ' is expressed only by the tap drivers')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="disk/target/@bus" mode="attr-reason">
    <xsl:variable name="el" select=".."/>
    <xsl:variable name="rec" select="$disk-recs[number(@pos) = count($el/../preceding-sibling::disk) + 1]"/>
    <xsl:variable name="name" select="string($rec/@name)"/>
    <xsl:variable name="derived">
      <xsl:choose>
        <xsl:when test="$el/../@device = 'floppy'">fdc</xsl:when>
        <xsl:when test="starts-with($name, 'sd')">scsi</xsl:when>
        <xsl:when test="starts-with($name, 'vd')">virtio</xsl:when>
        <xsl:when test="starts-with($name, 'xvd')">xen</xsl:when>
        <xsl:when test="starts-with($name, 'ubd')">uml</xsl:when>
        <xsl:otherwise>ide</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test=". != $derived">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|xend takes the bus from the device name ', $name, ' (', $derived, '), not ', .)"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="interface/source/@network" mode="attr-reason">
    <xsl:choose>
      <xsl:when test="../../@type = 'network'">
        <xsl:value-of select="concat('SXP-NETWORK|libvirt network ', ., ' needs libvirt to find its bridge; no bridge written')"/>
      </xsl:when>
      <xsl:when test="../../@type != 'network'">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|', name(), ' does not apply to a ', ../../@type, ' interface')"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="interface/source/@bridge" mode="attr-reason">
    <xsl:if test="../../@type != 'bridge'">
      <xsl:value-of select="concat('SXP-UNSUPPORTED|', name(), ' does not apply to a ', ../../@type, ' interface')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="interface/script/@path" mode="attr-reason">
    <xsl:if test="../../@type = 'network'">
      <xsl:text>SXP-UNSUPPORTED|a network interface uses the default vif-bridge script</xsl:text>
    </xsl:if>
  </xsl:template>

  <xsl:template match="interface/target/@dev" mode="attr-reason">
    <xsl:if test="starts-with(., 'vif')">
      <xsl:value-of select="concat('SXP-IMPLIED|interface name ', ., ' is chosen by xend, not written')"/>
    </xsl:if>
  </xsl:template>

  <xsl:template match="devices/hostdev/@managed" mode="attr-reason">
    <xsl:if test=". = 'yes'">
      <xsl:text>SXP-UNSUPPORTED|xend does not manage host devices: bind the device to pciback before starting</xsl:text>
    </xsl:if>
  </xsl:template>

  <!-- Graphics: the rules of every attribute first, then those of port and autoport. -->
  <xsl:template match="devices/graphics/@*" mode="attr-reason">
    <xsl:call-template name="graphics-attr-reason"/>
  </xsl:template>

  <xsl:template match="devices/graphics/@port" mode="attr-reason" priority="1">
    <xsl:variable name="any">
      <xsl:call-template name="graphics-attr-reason"/>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$any != ''"><xsl:value-of select="$any"/></xsl:when>
      <xsl:when test="../@type = 'vnc' and normalize-space(.) != '-1' and (../@autoport = 'yes')">
        <xsl:value-of select="concat('SXP-IMPLIED|VNC port ', ., ' is chosen by xend (autoport)')"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="devices/graphics/@autoport" mode="attr-reason" priority="1">
    <xsl:variable name="any">
      <xsl:call-template name="graphics-attr-reason"/>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$any != ''"><xsl:value-of select="$any"/></xsl:when>
      <xsl:when test=". = 'no' and not(../@port)">SXP-UNSUPPORTED|autoport=no without a port</xsl:when>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="graphics-attr-reason">
    <xsl:variable name="el" select=".."/>
    <xsl:choose>
      <xsl:when test="$el/@type = 'sdl' and not(name() = 'type' or name() = 'display' or name() = 'xauth')">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|', name(), ' does not apply to SDL graphics')"/>
      </xsl:when>
      <xsl:when test="$el/@type = 'vnc' and (name() = 'display' or name() = 'xauth')">
        <xsl:value-of select="concat('SXP-UNSUPPORTED|', name(), ' does not apply to VNC graphics')"/>
      </xsl:when>
      <xsl:when test="$el/@type = 'vnc' and not($graphics-as-vfb) and $ver &lt; 2 and name() != 'type'">
        <xsl:value-of select="concat('SXP-XEND-VERSION|xend 3.0.2 takes only (vnc 1); ', name(), ' is not written')"/>
      </xsl:when>
    </xsl:choose>
  </xsl:template>

  <!-- xen: elements are written wherever their parent has an SXP context. -->
  <xsl:template match="xen:*" mode="audit">
    <xsl:variable name="parent" select="local-name(..)"/>
    <xsl:variable name="dropped-disk"
        select="parent::disk[$hvm and (@device = 'floppy' or (@device = 'cdrom' and $ver = 1))]"/>
    <xsl:choose>
      <xsl:when test="parent::*[namespace-uri() != '' and namespace-uri() != $XEN]
                      or (parent::*[namespace-uri() = ''] and not(contains($xen-contexts, concat(' ', $parent, ' '))))
                      or parent::controller[not(@type = 'usb' and (@model = 'qusb1' or @model = 'qusb2'))]">
        <xsl:call-template name="loss">
          <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
          <xsl:with-param name="node" select="."/>
          <xsl:with-param name="detail"
              select="concat('&lt;', name(), '&gt; inside &lt;', name(..), '&gt; has no SXP context to go to')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$dropped-disk">
        <xsl:call-template name="loss">
          <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
          <xsl:with-param name="node" select="."/>
          <xsl:with-param name="detail"
              select="concat('&lt;', name(), '&gt;: this drive is an image path in xend, with no settings of its own')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:for-each select="@*[not((name() = 'id' and parent::xen:vcpu)
                                     or ((name() = 'name' or name() = 'value') and parent::xen:opt))]">
          <xsl:call-template name="loss">
            <xsl:with-param name="code" select="'SXP-UNSUPPORTED'"/>
            <xsl:with-param name="node" select="."/>
            <xsl:with-param name="detail"
                select="concat('attribute ', name(), ' of &lt;', name(..), '&gt; has no SEXPR form')"/>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:apply-templates select="*[namespace-uri() = $XEN]" mode="audit"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ==================================================================== helpers -->

  <!-- (key value): <s> (quoted) unless libvirt printed the key bare. -->
  <xsl:template name="item">
    <xsl:param name="key"/>
    <xsl:param name="value"/>
    <l>
      <a><xsl:value-of select="$key"/></a>
      <xsl:call-template name="value">
        <xsl:with-param name="value" select="string($value)"/>
        <xsl:with-param name="bare" select="contains($bare-keys, concat(' ', $key, ' '))"/>
      </xsl:call-template>
    </l>
  </xsl:template>

  <!-- A bare atom only where the text can be one: no blanks, parentheses, quotes, backslashes. -->
  <xsl:template name="value">
    <xsl:param name="value"/>
    <xsl:param name="bare" select="false()"/>
    <xsl:choose>
      <xsl:when test="$bare and $value != ''
                      and translate($value, concat(' ()&quot;\&#9;&#10;&#13;', &quot;'&quot;), '') = $value">
        <a><xsl:value-of select="$value"/></a>
      </xsl:when>
      <xsl:otherwise><s><xsl:value-of select="$value"/></s></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="loss">
    <xsl:param name="code"/>
    <xsl:param name="node" select="."/>
    <xsl:param name="detail"/>
    <xsl:variable name="path">
      <xsl:call-template name="path">
        <xsl:with-param name="node" select="$node"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:message>
      <xsl:value-of select="concat('xlate:loss|', $code, '|', $path, '|', translate($detail, '|&#10;', '/ '))"/>
    </xsl:message>
  </xsl:template>

  <xsl:template name="fail">
    <xsl:param name="node" select="/.."/>
    <xsl:param name="path">
      <xsl:call-template name="path">
        <xsl:with-param name="node" select="$node"/>
      </xsl:call-template>
    </xsl:param>
    <xsl:param name="message"/>
    <xsl:message terminate="yes">
      <xsl:value-of select="concat('xlate:error|', $path, '|', translate($message, '|&#10;', '/ '))"/>
    </xsl:message>
  </xsl:template>

  <!-- The XPath of a node in the input, e.g. /domain/devices/disk[2]/target/@dev. An index is
       given only where same-named siblings exist; xen: elements carry the prefix xen. -->
  <xsl:template name="path">
    <xsl:param name="node" select="."/>
    <xsl:choose>
      <xsl:when test="not($node)">/domain</xsl:when>
      <xsl:otherwise>
        <xsl:for-each select="$node/ancestor-or-self::*">
          <xsl:variable name="ns" select="namespace-uri()"/>
          <xsl:variable name="name" select="local-name()"/>
          <xsl:text>/</xsl:text>
          <xsl:choose>
            <xsl:when test="$ns = $XEN"><xsl:value-of select="concat('xen:', $name)"/></xsl:when>
            <xsl:when test="$ns != ''"><xsl:value-of select="concat('*[local-name()=&quot;', $name, '&quot;]')"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="$name"/></xsl:otherwise>
          </xsl:choose>
          <xsl:if test="count(../*[local-name() = $name and namespace-uri() = $ns]) &gt; 1">
            <xsl:value-of select="concat('[', count(preceding-sibling::*[local-name() = $name and namespace-uri() = $ns]) + 1, ']')"/>
          </xsl:if>
        </xsl:for-each>
        <xsl:if test="count($node | $node/../@*) = count($node/../@*)">
          <xsl:value-of select="concat('/@', name($node))"/>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- 2 to the power of N rounded up (1 for N <= 0), halving N at each call. -->
  <xsl:template name="pow2">
    <xsl:param name="n"/>
    <xsl:choose>
      <xsl:when test="not($n &gt; 0)">1</xsl:when>
      <xsl:otherwise>
        <xsl:variable name="m" select="ceiling($n)"/>
        <xsl:variable name="half">
          <xsl:call-template name="pow2">
            <xsl:with-param name="n" select="floor($m div 2)"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:value-of select="number($half) * number($half) * (1 + $m mod 2)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- An integer as C's strtol(text, 0) reads it: 0x.. hex, 0.. octal, else decimal. -->
  <xsl:template name="parse-int">
    <xsl:param name="text"/>
    <xsl:variable name="t" select="translate($text, 'ABCDEFX', 'abcdefx')"/>
    <xsl:choose>
      <xsl:when test="starts-with($t, '0x')">
        <xsl:call-template name="digits">
          <xsl:with-param name="text" select="substring($t, 3)"/>
          <xsl:with-param name="base" select="16"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="starts-with($t, '0') and string-length($t) &gt; 1">
        <xsl:call-template name="digits">
          <xsl:with-param name="text" select="substring($t, 2)"/>
          <xsl:with-param name="base" select="8"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="$t = ''">NaN</xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="digits">
          <xsl:with-param name="text" select="$t"/>
          <xsl:with-param name="base" select="10"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="digits">
    <xsl:param name="text"/>
    <xsl:param name="base"/>
    <xsl:param name="acc" select="0"/>
    <xsl:param name="first" select="true()"/>
    <xsl:variable name="c" select="substring($text, 1, 1)"/>
    <xsl:choose>
      <xsl:when test="$text = '' and $first">NaN</xsl:when>
      <xsl:when test="$text = ''"><xsl:value-of select="$acc"/></xsl:when>
      <xsl:when test="not(contains(substring('0123456789abcdef', 1, $base), $c))">NaN</xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="digits">
          <xsl:with-param name="text" select="substring($text, 2)"/>
          <xsl:with-param name="base" select="$base"/>
          <xsl:with-param name="acc"
              select="$acc * $base + string-length(substring-before('0123456789abcdef', $c))"/>
          <xsl:with-param name="first" select="false()"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="to-hex">
    <xsl:param name="n"/>
    <xsl:if test="$n &gt;= 16">
      <xsl:call-template name="to-hex">
        <xsl:with-param name="n" select="floor($n div 16)"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:value-of select="substring('0123456789abcdef', ($n mod 16) + 1, 1)"/>
  </xsl:template>

  <!-- A cpuset (0-3,^2,8) as libvirt formats it: sorted, runs as ranges (0-1,3,8). -->
  <xsl:template name="cpuset">
    <xsl:param name="spec"/>
    <xsl:variable name="parts" select="str:tokenize(translate($spec, ' ', ''), ',')"/>
    <xsl:variable name="max">
      <xsl:for-each select="$parts[not(starts-with(., '^'))]">
        <xsl:sort select="number(concat(substring-after(., '-'), substring(., 1, string-length(.) * not(contains(., '-')))))"
            data-type="number" order="descending"/>
        <xsl:if test="position() = 1">
          <xsl:choose>
            <xsl:when test="contains(., '-')"><xsl:value-of select="number(substring-after(., '-'))"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="number(.)"/></xsl:otherwise>
          </xsl:choose>
        </xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="bad"
        select="$parts[translate(., '^-0123456789', '') != '' or . = '' or . = '^' or . = '-']"/>
    <xsl:choose>
      <xsl:when test="$bad or string(number($max)) = 'NaN' or number($max) &gt; 2000">
        <xsl:value-of select="$spec"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="cpuset-runs">
          <xsl:with-param name="parts" select="$parts"/>
          <xsl:with-param name="n" select="0"/>
          <xsl:with-param name="max" select="number($max)"/>
          <xsl:with-param name="start" select="-1"/>
          <xsl:with-param name="first" select="true()"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="cpuset-runs">
    <xsl:param name="parts"/>
    <xsl:param name="n"/>
    <xsl:param name="max"/>
    <xsl:param name="start"/>
    <xsl:param name="first"/>
    <xsl:variable name="in"
        select="$n &lt;= $max
                and $parts[not(starts-with(., '^'))]
                    [(contains(., '-') and number(substring-before(., '-')) &lt;= $n
                                       and number(substring-after(., '-')) &gt;= $n)
                     or (not(contains(., '-')) and number(.) = $n)]
                and not($parts[starts-with(., '^')][number(substring(., 2)) = $n])"/>
    <xsl:choose>
      <xsl:when test="$in">
        <xsl:call-template name="cpuset-runs">
          <xsl:with-param name="parts" select="$parts"/>
          <xsl:with-param name="n" select="$n + 1"/>
          <xsl:with-param name="max" select="$max"/>
          <xsl:with-param name="start" select="$start + ($start &lt; 0) * ($n - $start)"/>
          <xsl:with-param name="first" select="$first"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:if test="$start &gt;= 0">
          <xsl:if test="not($first)">,</xsl:if>
          <xsl:value-of select="$start"/>
          <xsl:if test="$n - 1 &gt; $start"><xsl:value-of select="concat('-', $n - 1)"/></xsl:if>
        </xsl:if>
        <xsl:if test="$n &lt;= $max">
          <xsl:call-template name="cpuset-runs">
            <xsl:with-param name="parts" select="$parts"/>
            <xsl:with-param name="n" select="$n + 1"/>
            <xsl:with-param name="max" select="$max"/>
            <xsl:with-param name="start" select="-1"/>
            <xsl:with-param name="first" select="$first and $start &lt; 0"/>
          </xsl:call-template>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
