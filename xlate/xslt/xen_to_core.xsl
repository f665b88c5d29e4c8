<?xml version="1.0" encoding="UTF-8"?>
<!--
  Xen XML -> core XML.

  Core XML is Xen XML without the xen: namespace (urn:xlate:xen:1). Every xen: element outside
  <metadata> is removed. The caller reports each outermost one as a loss (XEN-DROPPED, made by
  xlate/formats/core.py from the input tree: far cheaper than xsl:message per setting).

  With the parameter keep-xen='1' the xen: elements are instead moved into
  <metadata><xen:kept>, each wrapped in <xen:item at="PARENT-PATH" pos="N"> (N = the number of
  core elements, comments and processing instructions before it among its siblings), so that
  core_to_xen.xsl can put each one back where it was. libvirt accepts any foreign namespace inside <metadata>, so the result
  still validates as libvirt domain XML.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xen="urn:xlate:xen:1"
    exclude-result-prefixes="xen">

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="keep-xen" select="''"/>

  <!-- The outermost xen: elements outside metadata: the settings to keep (keep-xen only: the
       predicate on the first step spares the search otherwise). -->
  <xsl:variable name="xen-settings"
      select="/domain[$keep-xen = '1']//xen:*[not(ancestor::metadata) and not(ancestor::xen:*)]"/>

  <!-- Everything but xen: elements is copied as it is. (xsl:copy brings along only the
       namespace declarations made on the element itself: the root is rebuilt below.) -->
  <xsl:template match="*">
    <xsl:copy>
      <xsl:copy-of select="@*"/>
      <xsl:apply-templates/>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="text() | comment() | processing-instruction()">
    <xsl:copy/>
  </xsl:template>

  <xsl:template match="xen:*"/>

  <!-- keep-xen: the document element gains (or extends) <metadata> with the kept settings. -->
  <xsl:template match="/domain">
    <domain>
      <xsl:copy-of select="@*"/>
      <xsl:variable name="keep" select="$keep-xen = '1' and $xen-settings"/>
      <xsl:variable name="anchor"
          select="(name | uuid | genid | title | description)[last()]"/>
      <xsl:if test="$keep and not(metadata) and not($anchor)">
        <xsl:call-template name="new-metadata"/>
      </xsl:if>
      <xsl:for-each select="node()">
        <xsl:apply-templates select="."/>
        <xsl:if test="$keep and not(../metadata) and count(. | $anchor) = 1">
          <xsl:call-template name="new-metadata"/>
        </xsl:if>
      </xsl:for-each>
    </domain>
  </xsl:template>

  <!-- Metadata content belongs to other applications: copied whole, xen: elements included. -->
  <xsl:template match="/domain/metadata">
    <metadata>
      <xsl:copy-of select="@* | node()"/>
      <xsl:if test="$keep-xen = '1' and $xen-settings">
        <xsl:call-template name="kept"/>
      </xsl:if>
    </metadata>
  </xsl:template>

  <xsl:template name="new-metadata">
    <metadata>
      <xsl:call-template name="kept">
        <xsl:with-param name="created" select="'yes'"/>
      </xsl:call-template>
    </metadata>
  </xsl:template>

  <xsl:template name="kept">
    <xsl:param name="created" select="'no'"/>
    <xen:kept created-metadata="{$created}">
      <xsl:for-each select="$xen-settings">
        <xsl:variable name="at">
          <xsl:for-each select="..">
            <xsl:call-template name="path"/>
          </xsl:for-each>
        </xsl:variable>
        <xen:item at="{$at}"
            pos="{count(preceding-sibling::node()[self::* or self::comment() or self::processing-instruction()][not(self::xen:*)])}">
          <xsl:copy-of select="."/>
        </xen:item>
      </xsl:for-each>
    </xen:kept>
  </xsl:template>

  <!-- The XPath of the context element, e.g. /domain/devices/interface[2]/xen:backend
       (keep-xen only: costs time linear in the number of same-named siblings).
       An index is given only where same-named siblings exist. -->
  <xsl:template name="path">
    <xsl:for-each select="ancestor-or-self::*">
      <xsl:variable name="ns" select="namespace-uri()"/>
      <xsl:variable name="name" select="local-name()"/>
      <xsl:variable name="same"
          select="../*[local-name() = $name and namespace-uri() = $ns]"/>
      <xsl:text>/</xsl:text>
      <xsl:if test="$ns = 'urn:xlate:xen:1'">xen:</xsl:if>
      <xsl:value-of select="$name"/>
      <xsl:if test="count($same) &gt; 1">
        <xsl:value-of select="concat('[', count(preceding-sibling::*[local-name() = $name and namespace-uri() = $ns]) + 1, ']')"/>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
