<?xml version="1.0" encoding="UTF-8"?>
<!--
  core XML -> Xen XML.

  Core XML is already valid Xen XML; what this adds back are the Xen-only settings that
  xen_to_core.xsl kept in <metadata><xen:kept> (parameter keep-xen): each <xen:item at="PATH"
  pos="N"> goes back into the element at PATH, after its N-th child that is an element, a
  comment or a processing instruction (a <metadata> that xen_to_core.xsl created is not
  counted). The <xen:kept> container is removed, and so is a <metadata> it created.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xen="urn:xlate:xen:1"
    exclude-result-prefixes="xen">

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:key name="kept-at" match="/domain/metadata/xen:kept/xen:item" use="@at"/>
  <xsl:variable name="any-kept" select="/domain/metadata/xen:kept/xen:item"/>
  <xsl:variable name="created" select="/domain/metadata/xen:kept/@created-metadata = 'yes'"/>

  <xsl:template match="*">
    <xsl:element name="{local-name()}">
      <xsl:copy-of select="@*"/>
      <xsl:choose>
        <xsl:when test="$any-kept">
          <xsl:variable name="path">
            <xsl:call-template name="path"/>
          </xsl:variable>
          <xsl:variable name="mine" select="key('kept-at', $path)"/>
          <xsl:for-each select="node()">
            <xsl:if test="(self::* or self::comment() or self::processing-instruction())
                          and not($created and self::metadata)">
              <xsl:variable name="k" select="count(preceding-sibling::node()[self::* or self::comment()
                  or self::processing-instruction()][not($created and self::metadata)])"/>
              <xsl:copy-of select="$mine[@pos = $k]/*"/>
            </xsl:if>
            <xsl:apply-templates select="."/>
          </xsl:for-each>
          <xsl:variable name="n" select="count(node()[self::* or self::comment() or self::processing-instruction()]
              [not($created and self::metadata)])"/>
          <xsl:copy-of select="$mine[@pos &gt;= $n]/*"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:apply-templates select="node()"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:element>
  </xsl:template>

  <xsl:template match="*[namespace-uri() != '']" priority="-0.1">
    <xsl:copy-of select="."/>
  </xsl:template>

  <xsl:template match="comment() | processing-instruction()">
    <xsl:copy/>
  </xsl:template>

  <xsl:template match="/domain/metadata/xen:kept"/>

  <xsl:template match="/domain/metadata[xen:kept/@created-metadata = 'yes' and count(*) = 1]"/>

  <!-- Same path convention as xen_to_core.xsl (core elements only here). -->
  <xsl:template name="path">
    <xsl:for-each select="ancestor-or-self::*">
      <xsl:variable name="name" select="local-name()"/>
      <xsl:variable name="same" select="../*[local-name() = $name and namespace-uri() = '']"/>
      <xsl:value-of select="concat('/', $name)"/>
      <xsl:if test="count($same) &gt; 1">
        <xsl:value-of select="concat('[', count(preceding-sibling::*[local-name() = $name and namespace-uri() = '']) + 1, ']')"/>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
